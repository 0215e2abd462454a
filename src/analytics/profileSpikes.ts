/**
 * Profile detector (the default): each interval is compared with the usual power of the
 * same local time of day on the same kind of day (Monday to Friday, or weekend) over the previous
 * weeks, so the evening peak is expected at 19:00 and the night is expected to be low.
 *
 * Expected value: a robust line through those past values (anomalyBaseline.ts), a median
 * that follows a slow drift (heating coming on in autumn). Only days at least 90 % covered
 * feed it; holiday and vacancy days (a day that used much less than the busiest days of
 * its kind, or a time of day far below its upper quartile) are left out, so the return to
 * normal is not an excursion. The expected value is an upper quantile (65 %) of the past
 * values. Flagged intervals stay in the history: a fault of a day or two is an outlier the
 * robust line sets aside, and one that recurs day after day becomes the normal after about
 * two weeks (blanking them made any false alarm lower the baseline and breed more).
 *
 * An interval is over (`hot`) when all three hold:
 * - above the user's threshold_percent of the expected value (the seed's rule, Minor 120 %),
 * - at least minExcessWatts above it (a few Wh at night are not a fault),
 * - unusual for this meter: above expected × day level × (1 + spreadFactor × spread), where
 *   the spread is the robust standard deviation (MAD × 1.4826) of this time of day over the
 *   past days (an hour either side pooled), each measured against its own day's level, and
 *   the day level is the median ratio to the baseline over the whole local day (at least
 *   0.5): a busier or quieter day (weather, occupancy) moves every half-hour together and is
 *   not a fault, while a fault of a few hours hardly moves a median of the day.
 * An event starts at a hot interval, continues through intervals still clearly above the
 * baseline (one spread above it), and fires once it has lasted minDurationMinutes with at
 * least two hot intervals. One continuous problem is one event.
 */
import type { Anomaly, Language, LevelShift } from './anomalyTypes.js';
import { anomalyKey, MIN_HISTORY_DAYS, roundTo, severityFor, toKwh } from './anomalyTypes.js';
import { profileSpikeMessage } from './anomalyMessages.js';
import { type DaySample, dayNumber, robustTrend } from './anomalyBaseline.js';
import { type LocalDay, type LocalInterval, median } from './localReadings.js';
import { shiftCorrection } from './nightBaseload.js';
import { addDays } from './periods.js';

/** Profiles are kept per 5 minutes: every provider step (10, 15, 30, 60) is a multiple. */
const FINE_MINUTES = 5;
const FINE_SLOTS = (24 * 60) / FINE_MINUTES;
const MIN_DAY_COVERAGE = 0.9;
/** Past days of the same kind needed before a time of day has a baseline. */
const MIN_BASELINE_DAYS = 3;
const MAD_TO_SD = 1.4826;
/** Spread bounds: below, rounding; the default, when too few days measure it. */
const MIN_SPREAD = 0.05;
const DEFAULT_SPREAD = 0.25;
const MIN_SPREAD_SAMPLES = 4;
/** Intervals either side pooled into a spread. */
const SPREAD_NEIGHBOURS = 2;
/**
 * A day that used less than this share of the busiest days of its kind in the history (the
 * second busiest, so one fault day does not decide) is a holiday or vacancy day. Judged
 * again for every day from the whole history, so it needs no baseline of its own: history
 * that starts inside the Christmas closure is still recognised as closed.
 */
const LOW_DAY_SHARE = 0.65;
/** A past value below this share of its time of day's upper quartile is a holiday's. */
const LOW_VALUE_SHARE = 0.6;
/**
 * The expected value is this quantile of the past values, not their median: a vacancy
 * shorter than about two thirds of the history does not lower it.
 */
const BASELINE_QUANTILE = 0.65;
const MIN_NORMAL_DAYS = 7;
/** The day level used is at least this: a day far below its baseline is a holiday, not a scale. */
const MIN_DAY_LEVEL = 0.5;

export interface ProfileOptions {
  from: Date;
  to: Date;
  zone: string;
  thresholdPercent: number;
  minExcessWatts: number;
  minDurationMinutes: number;
  baselineDays: number;
  language: Language;
  spreadFactor: number;
  /**
   * Days whose night baseload is known to be raised, with the rise in watts: the rise is
   * added to their baseline (it is reported as its own anomaly) and the days are kept out
   * of later baselines.
   */
  raisedDays?: ReadonlyMap<string, number>;
  /** Level shifts: past days before a shift count with its size added. */
  levelShifts?: readonly LevelShift[];
  /** Called for every judged interval (explain). */
  trace?: (t: IntervalTrace) => void;
}

/** How one interval was judged. */
export interface IntervalTrace {
  interval: LocalInterval;
  /** Expected power, W, and this time of day's relative spread. */
  expectedWatts: number;
  spread: number;
  /** Day level used (≥ 0.5). */
  level: number;
  /** Power above which the interval counts as over, W (the higher of the two tests). */
  limitWatts: number;
  /** The user's threshold alone, W. */
  thresholdWatts: number;
  over: boolean;
}

export interface ProfileResult {
  anomalies: Anomaly[];
  /** Start of the first interval judged (enough history), or undefined when none was. */
  firstJudgedMs?: number;
}

interface PastDay {
  day: string;
  x: number;
  group: number;
  /** Mean power per 5-minute slot; NaN where unknown or flagged. */
  profile: Float64Array;
  /** Median ratio of the day to its baseline; NaN when unknown. */
  level: number;
  /** Mean power of the day, W. */
  meanWatts: number;
}

interface Flagged {
  interval: LocalInterval;
  baselineWatts: number;
  ratio: number;
  hot: boolean;
}

interface Expected {
  base: number;
  spread: number;
}

function slotsOf(i: LocalInterval): [number, number] {
  const first = Math.floor(i.minuteOfDay / FINE_MINUTES);
  const end = Math.ceil((i.minuteOfDay + i.intervalSeconds / 60) / FINE_MINUTES);
  return [first, Math.min(FINE_SLOTS, Math.max(first + 1, end))];
}

/** Mean power per slot of one day; a slot seen twice (October's repeated hour) averages. */
function dayProfile(d: LocalDay): Float64Array {
  const sums = new Float64Array(FINE_SLOTS);
  const counts = new Uint16Array(FINE_SLOTS);
  for (const i of d.intervals) {
    const [a, b] = slotsOf(i);
    for (let s = a; s < b; s++) {
      sums[s] = (sums[s] as number) + i.watts;
      counts[s] = (counts[s] as number) + 1;
    }
  }
  return sums.map((v, s) => ((counts[s] as number) > 0 ? v / (counts[s] as number) : Number.NaN));
}

/** Mean power of a past day over slots [a, b), or NaN when part of it is unknown. */
function spanMean(profile: Float64Array, a: number, b: number): number {
  let sum = 0;
  for (let s = a; s < b; s++) sum += profile[s] as number;
  return sum / (b - a);
}

/**
 * Leaves out the values of `group` far below its upper quartile: a time of day during a
 * vacancy or a closure. Low load is never an over-consumption, and a baseline made of
 * three weeks of holidays would flag the return to normal. When most days are low (a
 * building that uses less for good), the upper quartile falls with them and they count.
 */
function withoutLowValues(samples: DaySample[], group: number): DaySample[] {
  const own = samples
    .filter((s) => s.group === group)
    .map((s) => s.y)
    .sort((a, b) => a - b);
  if (own.length < 4) return samples;
  const q75 = own[Math.floor(own.length * 0.75)] as number;
  return samples.filter((s) => s.group !== group || s.y >= LOW_VALUE_SHARE * q75);
}

/** Expected power and spread of each interval of `day`, from the past days. */
function dayBaselines(
  day: LocalDay,
  history: readonly PastDay[],
  shifts: readonly LevelShift[],
): (Expected | undefined)[] {
  const x0 = dayNumber(day.day);
  const group = day.dayGroup;
  const corrections = history.map((h) => shiftCorrection(shifts, h.day, day.day));
  const perInterval = day.intervals.map((interval) => {
    const [a, b] = slotsOf(interval);
    const samples: DaySample[] = [];
    const levels: number[] = [];
    history.forEach((h, k) => {
      const y = spanMean(h.profile, a, b);
      if (Number.isNaN(y)) return;
      samples.push({ x: h.x, y: y + (corrections[k] as number), group: h.group });
      levels.push(h.group === group ? h.level : Number.NaN);
    });
    const base = robustTrend(
      withoutLowValues(samples, group),
      x0,
      group,
      MIN_BASELINE_DAYS,
      BASELINE_QUANTILE,
    );
    if (base === undefined || !(base > 0)) return undefined;
    const z: number[] = [];
    samples.forEach((s, k) => {
      const level = levels[k] as number;
      if (s.group === group && level > 0) z.push(s.y / (level * base));
    });
    return { base, z };
  });
  // The spread of an interval pools it with its neighbours (an hour either side): a MAD
  // of twenty values alone is too unsure to set a limit at three of them.
  return perInterval.map((e, k) => {
    if (!e) return undefined;
    const pooled: number[] = [];
    for (let j = Math.max(0, k - SPREAD_NEIGHBOURS); j <= k + SPREAD_NEIGHBOURS; j++) {
      const z = perInterval[j]?.z;
      if (!z) continue;
      const centre = median(z.length > 0 ? z : [1]);
      for (const v of z) pooled.push(v - centre);
    }
    if (pooled.length < MIN_SPREAD_SAMPLES) return { base: e.base, spread: DEFAULT_SPREAD };
    const spread = MAD_TO_SD * median(pooled.map(Math.abs));
    return { base: e.base, spread: Math.max(MIN_SPREAD, spread) };
  });
}

function dayMean(d: LocalDay): number {
  return d.intervals.reduce((sum, i) => sum + i.watts, 0) / Math.max(1, d.intervals.length);
}

/** Past days to compare a day with: the window, less raised nights and holiday-like days. */
function historyFor(
  past: PastDay[],
  day: string,
  opts: ProfileOptions,
  raised: ReadonlyMap<string, number>,
  shifts: readonly LevelShift[],
): PastDay[] {
  const oldest = addDays(day, -opts.baselineDays);
  while (past.length > 0 && (past[0] as PastDay).day < oldest) past.shift();
  const kept = past.filter((h) => !raised.has(h.day));
  const mean = (h: PastDay): number => h.meanWatts + shiftCorrection(shifts, h.day, day);
  const busiest = new Map<number, number>();
  for (const g of new Set(kept.map((h) => h.group))) {
    const means = kept
      .filter((h) => h.group === g)
      .map(mean)
      .sort((a, b) => b - a);
    busiest.set(g, means[Math.min(1, means.length - 1)] as number);
  }
  const normal = kept.filter((h) => mean(h) >= LOW_DAY_SHARE * (busiest.get(h.group) as number));
  // With too few ordinary days left, low is the new normal (a building that uses less for
  // good); until then a vacancy does not become the reference.
  return normal.length >= MIN_NORMAL_DAYS ? normal : kept;
}

export function detectProfileSpikes(
  days: readonly LocalDay[],
  opts: ProfileOptions,
): ProfileResult {
  const raised = opts.raisedDays ?? new Map<string, number>();
  const shifts = opts.levelShifts ?? [];
  const past: PastDay[] = [];
  const events: Anomaly[] = [];
  const lastEndMs = days.at(-1)?.intervals.at(-1)?.endMs;
  let firstJudgedMs: number | undefined;
  let run: Flagged[] = [];
  let runFired = false;

  const runMinutes = (): number => run.reduce((s, f) => s + f.interval.intervalSeconds / 60, 0);
  const hotCount = (): number => run.filter((f) => f.hot).length;
  const closeRun = (): void => {
    while (run.length > 0 && !(run.at(-1) as Flagged).hot) run.pop();
    if (runFired && run.length > 0) {
      events.push(toEvent(run, opts, (run.at(-1) as Flagged).interval.endMs === lastEndMs));
    }
    run = [];
    runFired = false;
  };

  for (const day of days) {
    const history = historyFor(past, day.day, opts, raised, shifts);
    const judged = history.length >= MIN_HISTORY_DAYS;
    const shift = raised.get(day.day) ?? 0;
    const baselines = judged ? dayBaselines(day, history, shifts) : [];
    // The day's level: its median ratio to the baseline, every interval of the day counted.
    const ratios: number[] = [];
    day.intervals.forEach((interval, k) => {
      const e = baselines[k];
      if (e !== undefined && e.base + shift > 0) ratios.push(interval.watts / (e.base + shift));
    });
    const dayLevel = ratios.length > 0 ? median(ratios) : 1;
    const level = Math.max(MIN_DAY_LEVEL, dayLevel);
    let p: PastDay | undefined;
    if (day.coverage >= MIN_DAY_COVERAGE) {
      // It joins the history from the next day on (history was taken above).
      p = {
        day: day.day,
        x: dayNumber(day.day),
        group: day.dayGroup,
        profile: dayProfile(day),
        level: Number.NaN,
        meanWatts: dayMean(day),
      };
      past.push(p);
    }

    day.intervals.forEach((interval, k) => {
      const last = run.at(-1);
      if (last && last.interval.endMs !== interval.startMs) closeRun();
      const e = baselines[k];
      if (e === undefined || !(e.base + shift > 0)) {
        closeRun();
        return;
      }
      firstJudgedMs ??= interval.startMs;
      const expected = e.base + shift;
      const ratio = roundTo((interval.watts / expected) * 100, 6);
      const statistical = expected * level * (1 + opts.spreadFactor * e.spread);
      const thresholdWatts = Math.max(
        (expected * opts.thresholdPercent) / 100,
        expected + opts.minExcessWatts,
      );
      const hot = interval.watts > thresholdWatts && interval.watts > statistical;
      const warm = interval.watts > expected * level * (1 + e.spread);
      opts.trace?.({
        interval,
        expectedWatts: expected,
        spread: e.spread,
        level,
        limitWatts: Math.max(thresholdWatts, statistical),
        thresholdWatts,
        over: hot,
      });
      if (!hot && !(warm && run.length > 0)) {
        closeRun();
        return;
      }
      run.push({ interval, baselineWatts: expected, ratio, hot });
      if (!runFired && fires(runMinutes(), hotCount(), interval, opts)) runFired = true;
    });
    if (p && ratios.length * 2 >= day.intervals.length) p.level = dayLevel;
  }
  closeRun();
  return { anomalies: events, ...(firstJudgedMs === undefined ? {} : { firstJudgedMs }) };
}

/** Long enough, with two hot intervals (one when a single interval is the whole persistence). */
function fires(minutes: number, hot: number, i: LocalInterval, opts: ProfileOptions): boolean {
  const needHot = opts.minDurationMinutes <= i.intervalSeconds / 60 ? 1 : 2;
  return minutes >= opts.minDurationMinutes && hot >= needHot;
}

function toEvent(run: Flagged[], opts: ProfileOptions, ongoing: boolean): Anomaly {
  const first = run[0] as Flagged;
  const last = run[run.length - 1] as Flagged;
  let peak = first;
  for (const f of run) if (f.ratio > peak.ratio) peak = f;
  const start = first.interval.timestamp;
  const end = new Date(last.interval.endMs);
  const variance = peak.ratio - 100;
  return {
    kind: 'spike',
    key: anomalyKey('spike', start),
    start,
    end,
    timestamp: start,
    value: roundTo(peak.interval.value, 6),
    baseline: roundTo(toKwh(peak.baselineWatts, peak.interval.intervalSeconds), 6),
    variancePercent: roundTo(variance, 1),
    severity: severityFor(peak.ratio),
    message: profileSpikeMessage(variance, start, end, opts.zone, opts.language),
    ongoing,
    peakWatts: roundTo(Math.max(...run.map((f) => f.interval.watts)), 1),
  };
}
