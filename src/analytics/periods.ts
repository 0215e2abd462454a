/**
 * Local calendar periods (day, ISO week, month, year) in a building's time zone.
 *
 * Every bound is computed from the local calendar and converted to UTC by luxon, never
 * as "day × 24 h": a Brussels day lasts 23, 24 or 25 hours, so a month's length in
 * half-hours depends on whether it holds a daylight-saving change.
 */
import { DateTime, IANAZone } from 'luxon';
import { DEFAULT_ZONE, isLocalDay, localDayStart } from '../domain/localDays.js';

export {
  DEFAULT_ZONE,
  addDays,
  isLocalDay,
  localDayOf,
  localDayStart,
} from '../domain/localDays.js';

export const PERIODS = ['day', 'week', 'month', 'year'] as const;
export type Period = (typeof PERIODS)[number];

export function isPeriod(s: string): s is Period {
  return (PERIODS as readonly string[]).includes(s);
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const YEAR_RE = /^(\d{4})$/;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function weekLabel(weekYear: number, weekNumber: number): string {
  return `${weekYear}-W${pad2(weekNumber)}`;
}

/**
 * The label of the period holding a local day: `2025-01-15`, ISO week `2025-W03`
 * (the ISO week-year, so 2024-12-30 is `2025-W01`), `2025-01`, `2025`.
 * The zone is accepted for symmetry with the other functions: a local day already
 * names its calendar periods.
 */
export function periodKey(localDay: string, period: Period, _zone: string = DEFAULT_ZONE): string {
  // Plain date arithmetic: this runs once per day of every statistics query.
  const m = DAY_RE.exec(localDay);
  const y = m ? Number(m[1]) : NaN;
  const mo = m ? Number(m[2]) : NaN;
  const d = m ? Number(m[3]) : NaN;
  const t = Date.UTC(y, mo - 1, d);
  const date = new Date(t);
  if (!m || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${localDay}`);
  switch (period) {
    case 'day':
      return localDay;
    case 'week': {
      // ISO 8601: the week (Monday first) holding the year's first Thursday is week 1.
      const weekday = (date.getUTCDay() + 6) % 7;
      const thursday = t + (3 - weekday) * 86_400_000;
      const weekYear = new Date(thursday).getUTCFullYear();
      const week = Math.floor((thursday - Date.UTC(weekYear, 0, 1)) / (7 * 86_400_000)) + 1;
      return weekLabel(weekYear, week);
    }
    case 'month':
      return localDay.slice(0, 7);
    case 'year':
      return localDay.slice(0, 4);
  }
}

/** Which kind of period a label names, or null when it is not a period label. */
export function periodOfLabel(label: string): Period | null {
  if (DAY_RE.test(label)) return isLocalDay(label) ? 'day' : null;
  const w = WEEK_RE.exec(label);
  if (w) {
    const weeks = DateTime.fromObject({ weekYear: Number(w[1]), weekNumber: 1 }).weeksInWeekYear;
    const n = Number(w[2]);
    return n >= 1 && n <= weeks ? 'week' : null;
  }
  const m = MONTH_RE.exec(label);
  if (m) return Number(m[2]) >= 1 && Number(m[2]) <= 12 ? 'month' : null;
  return YEAR_RE.test(label) ? 'year' : null;
}

/** First local day and the period kind of a label; throws on a malformed label. */
function firstDayOf(label: string): { period: Period; first: DateTime } {
  const period = periodOfLabel(label);
  if (period === null) throw new RangeError(`Not a period label: ${label}`);
  let first: DateTime;
  if (period === 'day') first = DateTime.fromISO(label, { zone: 'UTC' });
  else if (period === 'week') {
    const [y, w] = label.split('-W');
    first = DateTime.fromObject(
      { weekYear: Number(y), weekNumber: Number(w), weekday: 1 },
      { zone: 'UTC' },
    );
  } else if (period === 'month') first = DateTime.fromISO(`${label}-01`, { zone: 'UTC' });
  else first = DateTime.fromISO(`${label}-01-01`, { zone: 'UTC' });
  return { period, first };
}

/** First local day (`YYYY-MM-DD`) of a period label. */
export function periodFirstDay(label: string): string {
  return firstDayOf(label).first.toISODate() as string;
}

/** The local day just after a period label's last day. */
export function periodEndDay(label: string): string {
  const { period, first } = firstDayOf(label);
  const unit = period === 'day' ? 'days' : `${period}s`;
  return first.plus({ [unit]: 1 }).toISODate() as string;
}

/** UTC instant at which a local period starts. */
export function periodStart(label: string, zone: string = DEFAULT_ZONE): Date {
  return localDayStart(periodFirstDay(label), zone);
}

/** UTC instant at which a local period ends (exclusive: the next period's start). */
export function periodEnd(label: string, zone: string = DEFAULT_ZONE): Date {
  return localDayStart(periodEndDay(label), zone);
}

/** Label of the period just before: `2025-01` → `2024-12`, `2025-W01` → `2024-W52`. */
export function previousPeriod(label: string): string {
  const { period, first } = firstDayOf(label);
  const unit = period === 'day' ? 'days' : `${period}s`;
  return periodKey(first.minus({ [unit]: 1 }).toISODate() as string, period);
}

/** Label of the period just after. */
export function nextPeriod(label: string): string {
  const { period } = firstDayOf(label);
  return periodKey(periodEndDay(label), period);
}

/**
 * The same period one year earlier: `2025-01-15` → `2024-01-15` (29 February → 28),
 * `2025-W03` → `2024-W03` (week 53 → week 52 when that year has none), `2025-01` →
 * `2024-01`, `2025` → `2024`.
 */
export function sameLastYear(label: string): string {
  const { period, first } = firstDayOf(label);
  switch (period) {
    case 'day':
      return first.minus({ years: 1 }).toISODate() as string;
    case 'week': {
      const weekYear = first.weekYear - 1;
      const weeks = DateTime.fromObject({ weekYear, weekNumber: 1 }).weeksInWeekYear;
      return weekLabel(weekYear, Math.min(first.weekNumber, weeks));
    }
    case 'month':
      return `${first.year - 1}-${pad2(first.month)}`;
    case 'year':
      return String(first.year - 1);
  }
}

/** Labels of every period from the one holding `fromDay` to the one holding `lastDay`. */
export function periodLabels(fromDay: string, lastDay: string, period: Period): string[] {
  const labels: string[] = [];
  const last = periodKey(lastDay, period);
  let label = periodKey(fromDay, period);
  // Bounded: a century of days is far beyond any real query.
  for (let i = 0; i < 40_000; i++) {
    labels.push(label);
    if (label >= last) break;
    label = nextPeriod(label);
  }
  return labels;
}

/**
 * How many intervals of `intervalSeconds` fit between two instants. Counted from the
 * real elapsed time, so a 25-hour local day holds 50 half-hours.
 */
export function expectedIntervals(fromUtc: Date, toUtc: Date, intervalSeconds: number): number {
  if (!(intervalSeconds > 0)) throw new RangeError(`Interval must be positive: ${intervalSeconds}`);
  const seconds = (toUtc.getTime() - fromUtc.getTime()) / 1000;
  return seconds <= 0 ? 0 : Math.floor(seconds / intervalSeconds + 1e-9);
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses a date given on the command line. `YYYY-MM-DD` is that local day's start in
 * `zone`; an ISO-8601 instant must carry `Z` or an offset, since a bare local time is
 * ambiguous once a year. Returns the instant, or a one-line error message.
 */
export function parseDateArg(s: string, zone: string = DEFAULT_ZONE): Date | string {
  const text = s.trim();
  if (!isValidZone(zone)) return `Unknown time zone: ${zone}`;
  if (DAY_RE.test(text)) {
    if (!isLocalDay(text)) return `Invalid date: ${text} (no such calendar day)`;
    return localDayStart(text, zone);
  }
  if (INSTANT_RE.test(text)) {
    const d = DateTime.fromISO(text, { setZone: true });
    if (!d.isValid) return `Invalid date: ${text}`;
    return d.toJSDate();
  }
  return `Invalid date: '${text}'. Use YYYY-MM-DD (a local day) or an ISO-8601 instant with an offset, e.g. 2025-01-15T08:00:00Z`;
}
