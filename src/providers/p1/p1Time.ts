/**
 * P1 timestamps: `YYMMDDhhmmssX`, local time of the meter (Europe/Brussels or
 * Europe/Amsterdam, one EU rule: UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC
 * to the last Sunday of October 01:00 UTC). X is S (summer, +02:00) or W (winter, +01:00),
 * which makes the repeated October hour unambiguous. Pure arithmetic, no zone database.
 */
const HOUR = 3_600_000;

function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, lastDay.getUTCDate() - lastDay.getUTCDay(), 1);
}

/** UTC offset in hours (1 or 2) in force at an instant in Belgium and the Netherlands. */
export function beNlOffsetHours(utcMs: number): 1 | 2 {
  const year = new Date(utcMs).getUTCFullYear();
  return utcMs >= lastSundayAt1Utc(year, 2) && utcMs < lastSundayAt1Utc(year, 9) ? 2 : 1;
}

const d2 = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/**
 * UTC milliseconds of a P1 timestamp, or null when it is not a real date-time (meters
 * send placeholders such as `632525252525W` for a month without a peak). Without the
 * S/W letter (some DSMR 4 meters) the offset is the one in force at that wall time,
 * the first occurrence for the repeated hour.
 */
export function parseP1Timestamp(text: string): number | null {
  if (text.length !== 12 && text.length !== 13) return null;
  for (let i = 0; i < 12; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const year = 2000 + d2(text, 0);
  const month = d2(text, 2);
  const day = d2(text, 4);
  const hour = d2(text, 6);
  const minute = d2(text, 8);
  const second = d2(text, 10);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wall).getUTCDate() !== day) return null;
  const flag = text.length === 13 ? text[12] : undefined;
  if (flag === 'S') return wall - 2 * HOUR;
  if (flag === 'W') return wall - HOUR;
  if (flag !== undefined) return null;
  const summer = wall - 2 * HOUR;
  return beNlOffsetHours(summer) === 2 ? summer : wall - HOUR;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The `YYMMDDhhmmssX` text of an instant, as a meter in Belgium or the Netherlands writes it. */
export function formatP1Timestamp(utcMs: number): string {
  const offset = beNlOffsetHours(utcMs);
  const d = new Date(utcMs + offset * HOUR);
  return (
    pad2(d.getUTCFullYear() % 100) +
    pad2(d.getUTCMonth() + 1) +
    pad2(d.getUTCDate()) +
    pad2(d.getUTCHours()) +
    pad2(d.getUTCMinutes()) +
    pad2(d.getUTCSeconds()) +
    (offset === 2 ? 'S' : 'W')
  );
}

/** Local calendar month `YYYY-MM` of an instant (the capacity tariff's billing month). */
export function localMonth(utcMs: number): string {
  const d = new Date(utcMs + beNlOffsetHours(utcMs) * HOUR);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}`;
}

/** Local calendar day `YYYY-MM-DD` of an instant. */
export function localDate(utcMs: number): string {
  const d = new Date(utcMs + beNlOffsetHours(utcMs) * HOUR);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}
