/**
 * Local time in Europe/Paris and Europe/Brussels without a time-zone database.
 *
 * Both zones follow the same rule since 1996: UTC+1, and UTC+2 from the last Sunday of March
 * 01:00 UTC to the last Sunday of October 01:00 UTC. The simulator evaluates millions of
 * intervals in benchmarks, so this arithmetic replaces a per-call zone lookup.
 */
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const summerByYear = new Map<number, [number, number]>();

function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

function summerRange(year: number): [number, number] {
  let range = summerByYear.get(year);
  if (!range) {
    range = [lastSundayAt1Utc(year, 2), lastSundayAt1Utc(year, 9)];
    summerByYear.set(year, range);
  }
  return range;
}

/** UTC offset in minutes (60 or 120) of Europe/Paris (and Brussels) at an instant. */
export function euOffsetMinutes(utcMs: number): number {
  const [from, to] = summerRange(new Date(utcMs).getUTCFullYear());
  return utcMs >= from && utcMs < to ? 120 : 60;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 1 = Monday … 7 = Sunday (ISO). */
  weekday: number;
  /** Fractional local hour of the day, 0 ≤ h < 24. */
  hourOfDay: number;
  /** Day of the year, 1-based. */
  dayOfYear: number;
  offsetMinutes: number;
}

export function localParts(utcMs: number): LocalParts {
  const offsetMinutes = euOffsetMinutes(utcMs);
  const d = new Date(utcMs + offsetMinutes * MINUTE);
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const second = d.getUTCSeconds();
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour,
    minute,
    second,
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
    hourOfDay: hour + minute / 60 + second / 3600,
    dayOfYear:
      Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / DAY) +
      1,
    offsetMinutes,
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** 'YYYY-MM-DD' of the local day containing an instant. */
export function localDay(utcMs: number): string {
  const p = localParts(utcMs);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** 'YYYY-MM-DD HH:mm:ss' in local time (the Enedis load-curve date format). */
export function formatLocalDateTime(utcMs: number): string {
  const p = localParts(utcMs);
  return `${localDay(utcMs)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

function offsetSuffix(offsetMinutes: number): string {
  return `+${pad(Math.floor(offsetMinutes / 60))}:${pad(offsetMinutes % 60)}`;
}

/** RFC 3339 with the local offset, e.g. '2026-11-01T00:00:00+01:00'. */
export function formatRfc3339Local(utcMs: number): string {
  const p = localParts(utcMs);
  return `${localDay(utcMs)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${offsetSuffix(p.offsetMinutes)}`;
}

/** Like formatRfc3339Local with milliseconds ('…T21:30:00.000+01:00', as nextAccessTime). */
export function formatIsoMillisLocal(utcMs: number): string {
  const p = localParts(utcMs);
  const ms = pad(new Date(utcMs).getUTCMilliseconds(), 3);
  return `${localDay(utcMs)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${ms}${offsetSuffix(p.offsetMinutes)}`;
}

/** Parses a strict 'YYYY-MM-DD' calendar date; null when malformed or not a real date. */
export function parseDay(s: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) {
    return null;
  }
  return { year, month, day };
}

function requireDay(day: string): { year: number; month: number; day: number } {
  const p = parseDay(day);
  if (!p) throw new RangeError(`Not a calendar date: ${day}`);
  return p;
}

/**
 * The UTC instant of a local wall-clock time. Where the time occurs twice (October) the
 * first occurrence (+02:00) is returned; where it does not exist (March) the result is the
 * instant that wall time would have under the winter offset.
 */
export function localWallToUtc(day: string, hour: number, minute = 0): number {
  const p = requireDay(day);
  const wall = Date.UTC(p.year, p.month - 1, p.day, hour, minute);
  for (const off of [120, 60]) {
    const t = wall - off * MINUTE;
    if (euOffsetMinutes(t) === off) return t;
  }
  return wall - HOUR;
}

/** The UTC instant a local day starts (local midnight is never ambiguous here). */
export function localDayStartUtc(day: string): number {
  return localWallToUtc(day, 0);
}

/** Adds whole calendar days to a 'YYYY-MM-DD' date. */
export function addDays(day: string, n: number): string {
  const p = requireDay(day);
  return new Date(Date.UTC(p.year, p.month - 1, p.day + n)).toISOString().slice(0, 10);
}

/** Adds calendar months, clamping the day to the target month's length. */
export function addMonths(day: string, n: number): string {
  const p = requireDay(day);
  const first = new Date(Date.UTC(p.year, p.month - 1 + n, 1));
  const lastDay = new Date(
    Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0),
  ).getUTCDate();
  first.setUTCDate(Math.min(p.day, lastDay));
  return first.toISOString().slice(0, 10);
}

/** Whole days from one date to another (b − a). */
export function daysBetween(a: string, b: string): number {
  const pa = requireDay(a);
  const pb = requireDay(b);
  return Math.round(
    (Date.UTC(pb.year, pb.month - 1, pb.day) - Date.UTC(pa.year, pa.month - 1, pa.day)) / DAY,
  );
}

/** Parses RFC 3339 with an explicit offset or Z; null when malformed. */
export function parseRfc3339(s: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}
