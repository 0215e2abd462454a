/**
 * Consumption statistics per local period, with the seed's comparisons (previous period,
 * same period a year earlier), computed from the database's daily aggregates.
 *
 * Coverage: each period reports which share of its time is covered by readings, so a
 * month with a week missing, or the month in progress, is visible as partial.
 *
 * Comparisons normalise by coverage: each side's total is divided by its coverage (the
 * total the period would have had at the same average rate), then compared. When both
 * periods are complete this is the plain comparison of totals. When either side covers
 * less than half of its period the projection is too uncertain and the comparison is null,
 * as it is when the compared period has no data at all.
 */
import { UsageError } from '../domain/errors.js';
import {
  DEFAULT_ZONE,
  type Period,
  isLocalDay,
  isValidZone,
  periodEnd,
  periodFirstDay,
  periodKey,
  periodLabels,
  periodStart,
  addDays,
  localDayStart,
  previousPeriod,
  sameLastYear,
} from './periods.js';

/** One row of the daily aggregate: one local day of one metric. */
export interface DailyAggregate {
  /** Local calendar day, `YYYY-MM-DD`. */
  day: string;
  total: number;
  /** Smallest and largest interval value of the day. */
  min: number;
  max: number;
  /** Number of intervals present. */
  count: number;
  intervalSeconds: number;
  /**
   * Seconds covered by the day's readings (sum of interval lengths). When absent,
   * count × intervalSeconds, which is exact unless the step changed during the day.
   */
  coveredSeconds?: number;
}

export interface StatsOptions {
  period: Period;
  zone?: string;
  /** First local day, inclusive. */
  from: string;
  /** Last local day, exclusive. */
  to: string;
  metricType: string;
  unit: string;
}

export interface PeriodComparison {
  previous_period: string | null;
  previous_year: string | null;
}

export interface StatsDataPoint {
  period: string;
  start: string;
  end: string;
  total: number;
  /** Of the intervals: avg = total / count. Null when the period has no reading. */
  avg: number | null;
  min: number | null;
  max: number | null;
  count: number;
  /** Share (0..1) of the period's time covered by readings. */
  coverage: number;
  expected_count: number;
  comparison: PeriodComparison;
}

export interface ConsumptionStats {
  metric_type: string;
  period: Period;
  unit: string;
  date_range: { start: string; end: string };
  /** Over every interval of the range: avg = total / count. */
  statistics: {
    min: number | null;
    max: number | null;
    avg: number | null;
    total: number;
    count: number;
  };
  data_points: StatsDataPoint[];
  /** The comparison of the latest period of the range. */
  comparison: PeriodComparison;
}

/** Below this coverage a period is too incomplete to compare. */
export const MIN_COMPARABLE_COVERAGE = 0.5;
const DEFAULT_INTERVAL_SECONDS = 1800;

interface Bucket {
  total: number;
  min: number | null;
  max: number | null;
  count: number;
  coveredSeconds: number;
  /** Seconds covered per interval length, to find the period's usual step. */
  secondsByInterval: Map<number, number>;
}

function emptyBucket(): Bucket {
  return {
    total: 0,
    min: null,
    max: null,
    count: 0,
    coveredSeconds: 0,
    secondsByInterval: new Map(),
  };
}

function addDay(b: Bucket, d: DailyAggregate): void {
  if (d.count <= 0) return;
  b.total += d.total;
  b.count += d.count;
  b.min = b.min === null ? d.min : Math.min(b.min, d.min);
  b.max = b.max === null ? d.max : Math.max(b.max, d.max);
  const seconds = d.coveredSeconds ?? d.count * d.intervalSeconds;
  b.coveredSeconds += seconds;
  b.secondsByInterval.set(
    d.intervalSeconds,
    (b.secondsByInterval.get(d.intervalSeconds) ?? 0) + seconds,
  );
}

function dominantInterval(b: Bucket, fallback: number): number {
  let best = fallback;
  let bestSeconds = -1;
  for (const [interval, seconds] of b.secondsByInterval) {
    if (seconds > bestSeconds) [best, bestSeconds] = [interval, seconds];
  }
  return best;
}

function periodSeconds(label: string, zone: string): number {
  return (periodEnd(label, zone).getTime() - periodStart(label, zone).getTime()) / 1000;
}

function coverageOf(b: Bucket, label: string, zone: string): number {
  return Math.min(1, b.coveredSeconds / periodSeconds(label, zone));
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** `+5.2%`, `-3.0%`: the seed's comparison text. */
export function formatChange(ratio: number): string {
  const pct = round((ratio - 1) * 100, 1);
  return `${pct >= 0 ? '+' : '-'}${Math.abs(pct).toFixed(1)}%`;
}

/** Compares two periods' coverage-normalised totals; null when they cannot be compared. */
function compare(
  cur: Bucket,
  curCov: number,
  ref: Bucket | undefined,
  refCov: number,
): string | null {
  if (!ref || ref.count === 0 || cur.count === 0) return null;
  if (curCov < MIN_COMPARABLE_COVERAGE || refCov < MIN_COMPARABLE_COVERAGE) return null;
  const refRate = ref.total / refCov;
  if (!(refRate > 0)) return null;
  return formatChange(cur.total / curCov / refRate);
}

/**
 * First local day the caller must fetch for the comparisons of a range starting at
 * `from`: the start of the earlier of the previous period and the same period a year
 * before.
 */
export function comparisonLookbackStart(
  from: string,
  period: Period,
  zone: string = DEFAULT_ZONE,
): string {
  const label = periodKey(from, period, zone);
  const a = periodFirstDay(previousPeriod(label));
  const b = periodFirstDay(sameLastYear(label));
  return a < b ? a : b;
}

function validate(opts: StatsOptions, zone: string): void {
  if (!isValidZone(zone)) throw new UsageError(`Unknown time zone: ${zone}`);
  for (const [name, day] of [
    ['from', opts.from],
    ['to', opts.to],
  ] as const) {
    if (!isLocalDay(day))
      throw new UsageError(`Invalid ${name} date: ${day} (expected YYYY-MM-DD)`);
  }
  if (opts.from >= opts.to) throw new UsageError('start_date must be before end_date');
}

/**
 * Statistics of the days in [from, to) grouped by local period. `days` may also hold
 * days before `from` (see comparisonLookbackStart): they feed the comparisons only.
 */
export function computeStatistics(
  days: readonly DailyAggregate[],
  opts: StatsOptions,
): ConsumptionStats {
  const zone = opts.zone ?? DEFAULT_ZONE;
  validate(opts, zone);
  const { period } = opts;

  // Every period's bucket over all given days (for comparisons), and the in-range part.
  const all = new Map<string, Bucket>();
  const inRange = new Map<string, Bucket>();
  const overall = emptyBucket();
  for (const d of days) {
    const label = periodKey(d.day, period, zone);
    if (!all.has(label)) all.set(label, emptyBucket());
    addDay(all.get(label) as Bucket, d);
    if (d.day >= opts.from && d.day < opts.to) {
      if (!inRange.has(label)) inRange.set(label, emptyBucket());
      addDay(inRange.get(label) as Bucket, d);
      addDay(overall, d);
    }
  }
  const usualInterval = dominantInterval(overall, DEFAULT_INTERVAL_SECONDS);

  const coverageCache = new Map<string, number>();
  const cov = (label: string, b: Bucket): number => {
    const cached = coverageCache.get(label);
    if (cached !== undefined) return cached;
    const c = coverageOf(b, label, zone);
    coverageCache.set(label, c);
    return c;
  };

  const dataPoints: StatsDataPoint[] = periodLabels(opts.from, addDays(opts.to, -1), period).map(
    (label) => {
      const b = inRange.get(label) ?? emptyBucket();
      const coverage = coverageOf(b, label, zone);
      const prevLabel = previousPeriod(label);
      const yearLabel = sameLastYear(label);
      const prev = all.get(prevLabel);
      const year = all.get(yearLabel);
      const interval = dominantInterval(b, usualInterval);
      return {
        period: label,
        start: periodStart(label, zone).toISOString(),
        end: periodEnd(label, zone).toISOString(),
        total: round(b.total, 6),
        avg: b.count > 0 ? round(b.total / b.count, 6) : null,
        min: b.min === null ? null : round(b.min, 6),
        max: b.max === null ? null : round(b.max, 6),
        count: b.count,
        coverage: round(coverage, 6),
        expected_count: Math.round(periodSeconds(label, zone) / interval),
        comparison: {
          previous_period: compare(b, coverage, prev, prev ? cov(prevLabel, prev) : 0),
          previous_year: compare(b, coverage, year, year ? cov(yearLabel, year) : 0),
        },
      };
    },
  );

  const last = dataPoints[dataPoints.length - 1];
  return {
    metric_type: opts.metricType,
    period,
    unit: opts.unit,
    date_range: {
      start: localDayStart(opts.from, zone).toISOString(),
      end: localDayStart(opts.to, zone).toISOString(),
    },
    statistics: {
      min: overall.min === null ? null : round(overall.min, 6),
      max: overall.max === null ? null : round(overall.max, 6),
      avg: overall.count > 0 ? round(overall.total / overall.count, 6) : null,
      total: round(overall.total, 6),
      count: overall.count,
    },
    data_points: dataPoints,
    comparison: last ? last.comparison : { previous_period: null, previous_year: null },
  };
}
