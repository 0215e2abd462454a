/**
 * Robust baselines for the profile and night detectors: the value expected on a day from
 * the same time of day on previous days, following a slow drift without being moved by
 * outliers.
 *
 * A plain median of the last five weeks lags about two and a half weeks behind the load;
 * in autumn, when heating comes on, that lag alone puts every ordinary day 20–30 % above
 * its baseline. So the baseline is a line: a drift estimated from the older and the newer
 * half of the past days (a two-group median line, which half the points of either half
 * may not move), and a level that is the median of the past values carried to the day
 * along that drift, within the range of the newer values. Values far from their group's median (more than four robust standard
 * deviations) are left out first: a week of doubled nights at the start of the history
 * would otherwise read as a steep fall.
 */
import { median } from './localReadings.js';

/** Robust standard deviations beyond which a past value is an outlier. */
const OUTLIER_SPREADS = 4;
/** MAD × 1.4826 estimates the standard deviation of normal noise. */
const MAD_TO_SD = 1.4826;

/** Whole days since 1970-01-01 of a `YYYY-MM-DD` day (calendar arithmetic, no zone). */
export function dayNumber(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y as number, (m as number) - 1, d as number) / 86_400_000;
}

/** One past value: its day (see dayNumber), its power, and its kind of day. */
export interface DaySample {
  x: number;
  y: number;
  /** Weekday 0, weekend 1: days are compared only with days of their group. */
  group: number;
}

/** Past values of one time of day, outliers left out, with their distance to their group. */
export interface CleanSamples {
  kept: DaySample[];
  /** Value minus its group's median, for the drift: groups differ in level, not in drift. */
  residuals: { x: number; r: number }[];
}

export function cleanSamples(samples: readonly DaySample[]): CleanSamples {
  const kept: DaySample[] = [];
  const residuals: { x: number; r: number }[] = [];
  for (const g of new Set(samples.map((s) => s.group))) {
    const own = samples.filter((s) => s.group === g);
    const centre = median(own.map((s) => s.y));
    const spread = MAD_TO_SD * median(own.map((s) => Math.abs(s.y - centre)));
    // A spread of 0 (identical values) keeps only values equal to the centre, give or take rounding.
    const limit = Math.max(OUTLIER_SPREADS * spread, 1e-9 * Math.abs(centre));
    for (const s of own) {
      if (Math.abs(s.y - centre) > limit) continue;
      kept.push(s);
      residuals.push({ x: s.x, r: s.y - centre });
    }
  }
  return { kept, residuals };
}

/**
 * Drift per day of residuals: the median of the newer half minus the median of the older
 * half, over the distance between their middle days; 0 with too few points to tell a
 * drift from noise.
 */
export function medianLineSlope(
  points: readonly { x: number; r: number }[],
  minPoints: number,
): number {
  if (points.length < minPoints) return 0;
  const xs = points.map((p) => p.x).sort((a, b) => a - b);
  const half = xs.length >> 1;
  const olderLast = xs[half - 1] as number;
  const newerFirst = xs[xs.length - half] as number;
  const older = points.filter((p) => p.x <= olderLast);
  const newer = points.filter((p) => p.x >= newerFirst);
  if (older.length === 0 || newer.length === 0) return 0;
  const dx = median(newer.map((p) => p.x)) - median(older.map((p) => p.x));
  if (!(dx > 0)) return 0;
  return (median(newer.map((p) => p.r)) - median(older.map((p) => p.r))) / dx;
}

/**
 * The median of the group's kept values carried to day x0 along the drift, kept within
 * the range of the group's newer half: a drift is trusted to move the baseline across what
 * was seen recently, not beyond it. A step in the history (a fault that ended, a new
 * tenant) reads as a steep drift, and extrapolated it would put the baseline anywhere.
 */
export function levelAt(
  kept: readonly DaySample[],
  group: number,
  x0: number,
  slope: number,
  minSamples: number,
  quantile = 0.5,
): number | undefined {
  const own = kept.filter((s) => s.group === group);
  if (own.length < minSamples) return undefined;
  const carried = own.map((s) => s.y + slope * (x0 - s.x));
  const level = quantile === 0.5 ? median(carried) : quantileOf(carried, quantile);
  const recent = [...own].sort((a, b) => a.x - b.x).slice(own.length >> 1);
  let low = Infinity;
  let high = -Infinity;
  for (const s of recent) {
    low = Math.min(low, s.y);
    high = Math.max(high, s.y);
  }
  return Math.min(high, Math.max(low, level));
}

/**
 * The value expected at day x0 for `group` from past samples (all groups share the
 * drift); undefined with fewer than `minSamples` usable samples of the group.
 */
export function robustTrend(
  samples: readonly DaySample[],
  x0: number,
  group: number,
  minSamples: number,
  quantile = 0.5,
): number | undefined {
  const clean = cleanSamples(samples);
  const slope = medianLineSlope(clean.residuals, 2 * minSamples);
  return levelAt(clean.kept, group, x0, slope, minSamples, quantile);
}

/** The q-quantile (0..1) of a non-empty list, interpolated between neighbours. */
export function quantileOf(values: readonly number[], q: number): number {
  const a = [...values].sort((x, y) => x - y);
  const pos = q * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return (a[lo] as number) + ((a[hi] as number) - (a[lo] as number)) * (pos - lo);
}
