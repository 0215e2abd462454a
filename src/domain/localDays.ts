/**
 * Local calendar days ("YYYY-MM-DD") and the instants they start at in a time zone. Day
 * arithmetic is on the calendar, never "n × 24 h": a Brussels or Paris day lasts 23, 24 or
 * 25 hours around the daylight-saving changes.
 */
import { DateTime } from 'luxon';

/** The zone used when none is given: the buildings this tool serves are mostly Belgian. */
export const DEFAULT_ZONE = 'Europe/Brussels';

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day's midnight read as UTC (ms), or null when the text is not a real day. */
function calendarMs(day: string): number | null {
  const m = DAY_RE.exec(day.trim());
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  // Date.UTC rolls 2026-02-30 over to March: such a text is not a day.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return null;
  return t;
}

/** True when `s` is a valid `YYYY-MM-DD` calendar day. */
export function isLocalDay(s: string): boolean {
  return DAY_RE.test(s) && calendarMs(s) !== null;
}

/** Adds (or with a negative n, subtracts) whole calendar days to a `YYYY-MM-DD` day. */
export function addDays(day: string, n: number): string {
  const t = DAY_RE.test(day) ? calendarMs(day) : null;
  if (t === null) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${day}`);
  return new Date(t + n * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days between two YYYY-MM-DD days (to − from), or null when either is not a day. */
export function daysBetween(fromDay: string, toDay: string): number | null {
  const a = calendarMs(fromDay);
  const b = calendarMs(toDay);
  if (a === null || b === null) return null;
  return Math.round((b - a) / 86_400_000);
}

/** The local calendar day (`YYYY-MM-DD`) an instant falls on in `zone`. */
export function localDayOf(instant: Date, zone: string = DEFAULT_ZONE): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() as string;
}

// Local midnights never change: remembered, since a statistics query asks for the same few
// hundred again and again and each costs a time-zone lookup.
const dayStarts = new Map<string, number>();
const DAY_STARTS_MAX = 20_000;

/** UTC instant of local midnight starting `day` (YYYY-MM-DD) in `zone`. */
export function localDayStart(day: string, zone: string = DEFAULT_ZONE): Date {
  const key = `${zone} ${day}`;
  const known = dayStarts.get(key);
  if (known !== undefined) return new Date(known);
  const d = DAY_RE.test(day) ? DateTime.fromISO(day, { zone }).startOf('day') : null;
  if (!d || !d.isValid) throw new RangeError(`Not a calendar day or zone: ${day} ${zone}`);
  if (dayStarts.size >= DAY_STARTS_MAX) dayStarts.clear();
  dayStarts.set(key, d.toMillis());
  return d.toJSDate();
}
