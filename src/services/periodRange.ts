/**
 * The local days a statistics query covers: what the command line gave (instants, read in
 * the building's zone) rounded to whole local days, else a default number of periods back
 * from today. Also the period and month values the query commands take.
 */
import {
  PERIODS,
  addDays,
  isPeriod,
  localDayOf,
  localDayStart,
  periodFirstDay,
  periodKey,
  periodOfLabel,
  previousPeriod,
  type Period,
} from '../analytics/periods.js';
import { UsageError } from '../domain/errors.js';

export { PERIODS, type Period };

/**
 * The --from/--to of the command line, read once the zone they are written in (the
 * building's) is known. `to` is exclusive: a day given as YYYY-MM-DD ends at the next
 * local midnight.
 */
export type DateArgs = (zone: string) => { from?: Date; to?: Date };

/** How many periods the default range shows, the current one included. */
export const DEFAULT_PERIOD_COUNT: Record<Period, number> = {
  day: 30,
  week: 12,
  month: 12,
  year: 3,
};

export function parsePeriod(value: string | undefined): Period {
  const period = (value ?? 'month').trim().toLowerCase();
  if (!isPeriod(period))
    throw new UsageError(`--period must be one of ${PERIODS.join(', ')}, got "${value}"`);
  return period;
}

/** A --month value, `YYYY-MM`. */
export function parseMonth(value: string): string {
  const month = value.trim();
  if (!/^\d{4}-\d{2}$/.test(month) || periodOfLabel(month) !== 'month') {
    throw new UsageError(`--month must be a month as YYYY-MM (e.g. 2025-10), got "${value}"`);
  }
  return month;
}

/** First local day of the `count` periods ending with the one holding `lastDay`. */
export function periodsBackStart(lastDay: string, period: Period, count: number): string {
  let label = periodKey(lastDay, period);
  for (let i = 1; i < count; i++) label = previousPeriod(label);
  return periodFirstDay(label);
}

/** The local day an exclusive end falls in, rounded up to the next day unless at midnight. */
function exclusiveEndDay(end: Date, zone: string): string {
  const day = localDayOf(end, zone);
  return localDayStart(day, zone).getTime() < end.getTime() ? addDays(day, 1) : day;
}

/** The [from, to) local days a stats query covers, with the defaults of each period. */
export function statsDayRange(
  period: Period,
  dates: { from?: Date; to?: Date },
  zone: string,
  now: Date,
): { from: string; to: string } {
  const to = dates.to ? exclusiveEndDay(dates.to, zone) : addDays(localDayOf(now, zone), 1);
  const from = dates.from
    ? localDayOf(dates.from, zone)
    : periodsBackStart(addDays(to, -1), period, DEFAULT_PERIOD_COUNT[period]);
  if (from >= to) throw new UsageError(`--from (${from}) must be before --to (${addDays(to, -1)})`);
  return { from, to };
}
