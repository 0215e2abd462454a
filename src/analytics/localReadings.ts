/**
 * Readings placed in local time: their local day, minute of the day and day type, and
 * each local day's coverage (share of its 23, 24 or 25 hours holding readings).
 */
import { IANAZone } from 'luxon';
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
  /** Kind of day compared with its own kind: 0 Monday to Friday, 1 Saturday and Sunday. */
  dayGroup: number;
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

  const offsetAt = offsetLookup(zone);
  const days: LocalDay[] = [];
  let current: LocalDay | undefined;
  let lastStart = Number.NaN;
  for (const r of usable) {
    const startMs = r.timestamp.getTime();
    // The local wall clock read as if it were UTC: its date and time fields are local.
    const local = new Date(startMs + offsetAt(startMs) * 60_000);
    const day = local.toISOString().slice(0, 10);
    const interval: LocalInterval = {
      timestamp: r.timestamp,
      intervalSeconds: r.intervalSeconds,
      value: r.value,
      startMs,
      endMs: startMs + r.intervalSeconds * 1000,
      watts: toWatts(r.value, r.intervalSeconds),
      day,
      minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
      weekend: local.getUTCDay() === 0 || local.getUTCDay() === 6,
    };
    if (startMs === lastStart && current) {
      current.intervals[current.intervals.length - 1] = interval;
      continue;
    }
    lastStart = startMs;
    if (!current || current.day !== day) {
      const dow = local.getUTCDay();
      const dayGroup = dow === 6 || dow === 0 ? 1 : 0;
      current = { day, weekend: interval.weekend, dayGroup, coverage: 0, intervals: [] };
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

/**
 * The zone's UTC offset (minutes) at an instant, for instants in increasing order. Asking
 * the time-zone database for every reading dominates the detectors' time, and offsets
 * change at most a few times a year: when the offset six hours on is the same, it holds
 * for those six hours (no zone changes twice within six hours).
 */
function offsetLookup(zone: string): (ms: number) => number {
  const tz = IANAZone.create(zone);
  const span = 6 * 3_600_000;
  let from = Number.NaN;
  let to = Number.NaN;
  let offset = 0;
  return (ms) => {
    if (ms >= from && ms < to) return offset;
    offset = tz.offset(ms);
    if (tz.offset(ms + span) === offset) {
      from = ms;
      to = ms + span;
    } else {
      from = Number.NaN;
      to = Number.NaN;
    }
    return offset;
  };
}

/** Median of a non-empty list (the list is copied, not reordered). */
export function median(values: readonly number[]): number {
  const a = Float64Array.from(values);
  const mid = a.length >> 1;
  const upper = select(a, mid);
  if (a.length % 2 === 1) return upper;
  // After selection everything left of `mid` is ≤ a[mid]: the other middle is their maximum.
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) lower = Math.max(lower, a[i] as number);
  return (lower + upper) / 2;
}

/** The k-th smallest value (quickselect, reorders `a`); medians run for every interval. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k] as number;
}
