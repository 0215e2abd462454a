/**
 * Local wall-clock times of a provider (Europe/Paris, Europe/Brussels) to UTC instants.
 *
 * Enedis labels each point with the local time of the END of its interval. Twice a year
 * that label is not a plain function of the instant:
 * - October: the 02:00–03:00 hour happens twice (+02:00, then +01:00). Points come in
 *   chronological order, so the first time a label in that hour is seen it is the first
 *   occurrence; when a label repeats or goes backwards, it is the second.
 * - March: 02:00–03:00 does not exist. A label inside it is read with the offset in force
 *   before the jump (02:00 = 03:00 summer time), which is what its writer meant.
 */
import { DateTime, Duration, IANAZone } from 'luxon';
import { localDayStart } from '../domain/localDays.js';

export { daysBetween, localDayStart } from '../domain/localDays.js';

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function zoneOf(timeZone: string): IANAZone {
  const z = IANAZone.create(timeZone);
  if (!z.isValid) throw new RangeError(`Unknown time zone: ${timeZone}`);
  return z;
}

/** "YYYY-MM-DD HH:mm[:ss]" read as if it were UTC (ms), or null when it is not a real date-time. */
export function wallClockMs(text: string): number | null {
  const m = LOCAL_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // 24:00:00 is accepted as the end of the day; anything else past 23:59:59 is an error.
  if (h > 24 || mi > 59 || s > 59 || (h === 24 && (mi !== 0 || s !== 0))) return null;
  const midnight = Date.UTC(y, mo - 1, d);
  const back = new Date(midnight);
  // Date.UTC rolls 2026-02-30 over to March; such a date is an error, not a date.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return null;
  }
  const ms = midnight + ((h * 60 + mi) * 60 + s) * 1000;
  return ms;
}

/** A "YYYY-MM-DD" day read as if it were UTC midnight (ms), or null. */
export function dayMs(text: string): number | null {
  if (!DAY_RE.test(text.trim())) return null;
  return wallClockMs(`${text.trim()} 00:00:00`);
}

/** The UTC instants a local wall-clock time can mean: 0 (gap), 1, or 2 (repeated hour), earliest first. */
export function localCandidates(wallMs: number, zone: IANAZone): number[] {
  const day = 86_400_000;
  const offsets = new Set([zone.offset(wallMs - day), zone.offset(wallMs + day)]);
  const out: number[] = [];
  for (const off of offsets) {
    const instant = wallMs - off * 60_000;
    if (zone.offset(instant) === off) out.push(instant);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Resolves a series of local wall-clock times, given in chronological order, to UTC ms.
 * `prev` is the previous point's instant (or null at the start of a series).
 */
export function resolveLocal(wallMs: number, zone: IANAZone, prev: number | null): number {
  const c = localCandidates(wallMs, zone);
  if (c.length === 0) return wallMs - zone.offset(wallMs - 86_400_000) * 60_000;
  if (c.length === 1 || prev === null) return c[0] as number;
  // In the repeated hour: the first occurrence unless that would not move forward.
  for (const t of c) if (t > prev) return t;
  return c[c.length - 1] as number;
}

/** Local midnight starting `day`, as RFC 3339 with the zone's offset ("2026-11-01T00:00:00+01:00"). */
export function localDayStartIso(day: string, timeZone: string): string {
  const d = DateTime.fromISO(day, { zone: timeZone });
  if (!DAY_RE.test(day) || !d.isValid) throw new RangeError(`Not a day (YYYY-MM-DD): ${day}`);
  return d.startOf('day').toISO({ suppressMilliseconds: true }) as string;
}

/** Length in seconds of a local day (82800, 86400 or 90000 around DST changes). */
export function localDaySeconds(day: string, timeZone: string): number {
  const start = localDayStart(day, timeZone).getTime();
  const next = DateTime.fromISO(day, { zone: timeZone })
    .plus({ days: 1 })
    .startOf('day')
    .toMillis();
  return (next - start) / 1000;
}

/**
 * How many intervals of stepSeconds a local day holds: Europe/Paris half-hours are 46 on the
 * March change day, 50 on the October one, 48 otherwise. Never compute this as 48 × days.
 */
export function expectedIntervalsForDay(
  day: string,
  timeZone: string,
  stepSeconds: number,
): number {
  if (!(stepSeconds > 0)) throw new RangeError(`stepSeconds must be positive, got ${stepSeconds}`);
  return Math.floor(localDaySeconds(day, timeZone) / stepSeconds);
}

/**
 * An ISO 8601 step ("PT30M", "PT1H", "P1D") in seconds, or null when it is not one.
 * Only fixed-length steps are accepted; "P1D" returns 86400 for the caller to treat as a day.
 */
export function stepSeconds(text: string): number | null {
  const d = Duration.fromISO(text.trim());
  if (!d.isValid || d.years !== 0 || d.months !== 0) return null;
  const s = d.as('seconds');
  return Number.isFinite(s) && s > 0 && Number.isInteger(s) ? s : null;
}
