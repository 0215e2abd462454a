/**
 * A month set against the month before and the same month a year earlier: totals are
 * compared by `computeStatistics`; daily averages are compared here, projected over the
 * whole month when readings are missing, so a half-covered month is not "-50 %".
 */
import { localDayOf, periodEndDay, periodFirstDay, periodKey, previousPeriod } from './periods.js';
import { MIN_COMPARABLE_COVERAGE, formatChange, type StatsDataPoint } from './stats.js';

/** A month's figures as the monthly summary compares them. */
export interface MonthFigures {
  period: string;
  total: number;
  /** Total per day, projected over the whole month when readings are missing. */
  daily_average: number | null;
  coverage: number;
}

const DAY_MS = 86_400_000;

/** The month before the one holding `now` in `zone`. */
export function lastCompleteMonth(now: Date, zone: string): string {
  return previousPeriod(periodKey(localDayOf(now, zone), 'month'));
}

/** Calendar days of a `YYYY-MM` month (local days: a DST day still counts as one). */
export function daysInMonth(month: string): number {
  const first = Date.parse(`${periodFirstDay(month)}T00:00:00Z`);
  const end = Date.parse(`${periodEndDay(month)}T00:00:00Z`);
  return Math.round((end - first) / DAY_MS);
}

/** The figures of one month's row of statistics; null when it holds no reading. */
export function monthFigures(row: StatsDataPoint | undefined): MonthFigures | null {
  if (!row || row.count === 0) return null;
  const perDay = row.total / row.coverage / daysInMonth(row.period);
  return {
    period: row.period,
    total: row.total,
    daily_average: row.coverage > 0 ? Math.round(perDay * 1e6) / 1e6 : null,
    coverage: row.coverage,
  };
}

/**
 * The change of the daily average ("+5.2%"), under the totals' rule: both months at least
 * half covered, else null (not comparable).
 */
export function compareDailyAverages(
  current: MonthFigures | null,
  reference: MonthFigures | null,
): string | null {
  if (!current || !reference) return null;
  if (current.daily_average === null || reference.daily_average === null) return null;
  if (current.coverage < MIN_COMPARABLE_COVERAGE || reference.coverage < MIN_COMPARABLE_COVERAGE)
    return null;
  return reference.daily_average > 0
    ? formatChange(current.daily_average / reference.daily_average)
    : null;
}
