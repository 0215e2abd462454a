/**
 * Readings placed in local time: their local day, minute of the day and day type, and
 * each local day's coverage (share of its 23, 24 or 25 hours holding readings).
 */
import { DateTime } from 'luxon';
import type { IntervalValue } from './anomalyTypes.js';
import { toWatts } from './anomalyTypes.js';
import { addDays, localDayStart } from './periods.js';

export interface LocalInterval {
  timestamp: Date;
  intervalSeconds: number;
  value: number;
  startMs: number;
  endMs: number;
  /** Average power over the interval, so that 10-, 30- and 60-minute steps compare. */
  watts: number;
  day: string;
  /** Minutes since local midnight at the interval's start (the repeated October hour repeats). */
  minuteOfDay: number;
  weekend: boolean;
}

export interface LocalDay {
  day: string;
  weekend: boolean;
  /** Share (0..1) of the local day's real length covered by readings. */
  coverage: number;
  intervals: LocalInterval[];
}

/**
 * Sorts (a copy of) the readings, drops unusable ones (no length, not finite) and keeps
 * the last of two readings with the same start, then groups them by local day.
 */
export function toLocalDays(readings: readonly IntervalValue[], zone: string): LocalDay[] {
  const usable = readings
    .filter(
      (r) => r.intervalSeconds > 0 && Number.isFinite(r.value) && !isNaN(r.timestamp.getTime()),
    )
    .slice()
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());

  const days: LocalDay[] = [];
  let current: LocalDay | undefined;
  let lastStart = Number.NaN;
  for (const r of usable) {
    const startMs = r.timestamp.getTime();
    const local = DateTime.fromMillis(startMs, { zone });
    const day = local.toISODate() as string;
    const interval: LocalInterval = {
      timestamp: r.timestamp,
      intervalSeconds: r.intervalSeconds,
      value: r.value,
      startMs,
      endMs: startMs + r.intervalSeconds * 1000,
      watts: toWatts(r.value, r.intervalSeconds),
      day,
      minuteOfDay: local.hour * 60 + local.minute,
      weekend: local.weekday >= 6,
    };
    if (startMs === lastStart && current) {
      current.intervals[current.intervals.length - 1] = interval;
      continue;
    }
    lastStart = startMs;
    if (!current || current.day !== day) {
      current = { day, weekend: interval.weekend, coverage: 0, intervals: [] };
      days.push(current);
    }
    current.intervals.push(interval);
  }

  for (const d of days) {
    const length =
      localDayStart(addDays(d.day, 1), zone).getTime() - localDayStart(d.day, zone).getTime();
    const covered = d.intervals.reduce((s, i) => s + i.intervalSeconds * 1000, 0);
    d.coverage = Math.min(1, covered / length);
  }
  return days;
}

/** Median of a non-empty list (the list is copied, not reordered). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** One past observation for a baseline: its day (as a day number) and power. */
export interface DaySample {
  /** Whole days since an arbitrary origin, so slopes are per day. */
  x: number;
  y: number;
  /** Samples are compared only within a group (weekday, weekend): see robustTrend. */
  group: number;
}

/**
 * The value expected at day `x0` from past samples, following a drift (heating coming on
 * in autumn, lighting with the length of the day) without being moved by outliers: a
 * Theil–Sen line. The slope is the median of the slopes between pairs of samples of one
 * group (weekday with weekday, weekend with weekend, so their different levels do not read
 * as a slope, while both share it); the level is the median, over the samples of
 * `group`, of each sample carried to `x0` along that slope. Up to about three samples in
 * ten may be anything without moving the result much.
 *
 * Returns undefined with fewer than `minSamples` samples of `group`.
 */
export function robustTrend(
  samples: readonly DaySample[],
  x0: number,
  group: number,
  minSamples: number,
): number | undefined {
  const own = samples.filter((s) => s.group === group);
  if (own.length < minSamples) return undefined;
  const slopes: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const a = samples[i] as DaySample;
    for (let j = i + 1; j < samples.length; j++) {
      const b = samples[j] as DaySample;
      if (a.group === b.group && a.x !== b.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  // Too few pairs to tell a drift from noise: assume none.
  const slope = slopes.length >= minSamples ? median(slopes) : 0;
  return median(own.map((s) => s.y + slope * (x0 - s.x)));
}
