/**
 * Anomaly shapes, the seed's severities and the options of the detectors.
 */

/** One interval of a load curve as the detectors read it. */
export interface IntervalValue {
  /** Start of the interval, UTC. */
  timestamp: Date;
  intervalSeconds: number;
  /** Energy over the interval, kWh. */
  value: number;
}

export const ANOMALY_KINDS = ['spike', 'night_baseload', 'level_shift'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export const SEVERITIES = ['minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ANOMALY_METHODS = ['profile', 'moving-average'] as const;
export type AnomalyMethod = (typeof ANOMALY_METHODS)[number];

export type Language = 'fr' | 'en';

export interface Anomaly {
  kind: AnomalyKind;
  /** Stable identity: kind and start, so storing the same anomaly twice is detectable. */
  key: string;
  start: Date;
  /** Exclusive end: the end of the last interval concerned. */
  end: Date;
  /** Same as start (the seed's field). */
  timestamp: Date;
  /** kWh per interval: the peak interval for a spike, the mean night level for a baseload. */
  value: number;
  /** kWh per interval expected at that time. */
  baseline: number;
  /** (value / baseline − 1) × 100. */
  variancePercent: number;
  severity: Severity;
  message: string;
  /** True when the problem still lasts at the end of the data: `end` will move on. */
  ongoing?: boolean;
  /** Highest average power of the event, W (a level shift: its level). */
  peakWatts?: number;
  /** level_shift: the lasting rise, W. */
  sizeWatts?: number;
}

export interface AnomalyOptions {
  /** Only anomalies overlapping [from, to) are reported; earlier readings are history. */
  from: Date;
  to: Date;
  zone?: string;
  /** Flag when value > thresholdPercent % of the baseline. Default 120 (the seed's). */
  thresholdPercent?: number;
  /** Default 'profile'. */
  method?: AnomalyMethod;
  /** Language of the messages. Default 'fr'. */
  language?: Language;
  /** Ignore rises smaller than this, in watts of average power. Default 100 W. */
  minExcessWatts?: number;
  /** A profile spike fires only after this long above the baseline. Default 90 minutes. */
  minDurationMinutes?: number;
  /** Days of history behind a profile baseline. Default 35 (five weeks). */
  baselineDays?: number;
  /** Also look for a raised night baseload. Default: true with the profile method. */
  nightBaseload?: boolean;
  /**
   * Config `anomalies.persistenceMinutes`: the same as minDurationMinutes (which wins when
   * both are given).
   */
  persistenceMinutes?: number;
  /**
   * Weeks after which a level shift is the new normal: its event closes then. Default 3.
   */
  levelShiftAdoptWeeks?: number;
  /**
   * How unusual an interval must be for this meter: robust standard deviations of its own
   * half-hour variability above the expected value. Default 3.5.
   */
  spreadFactor?: number;
}

export const DEFAULT_THRESHOLD_PERCENT = 120;
export const DEFAULT_MIN_EXCESS_WATTS = 100;
/**
 * An hour and a half: an oven, a washing machine or a lift's busy hour passes within an
 * hour; at 60 minutes, seasonal mornings (heating switching on at 06:00 while it ramps up
 * in autumn) still gave a false alarm on about one meter-day in two hundred.
 */
export const DEFAULT_MIN_DURATION_MINUTES = 90;
export const DEFAULT_BASELINE_DAYS = 35;
export const DEFAULT_LEVEL_SHIFT_ADOPT_WEEKS = 3;
export const DEFAULT_SPREAD_FACTOR = 3.5;
/** Usable days of history before a day is judged: fewer, and the result is "not enough history". */
export const MIN_HISTORY_DAYS = 14;

/** A lasting change of level, as the spike detector must know it. */
export interface LevelShift {
  /** First local day whose load is at the new level. */
  day: string;
  startMs: number;
  sizeWatts: number;
}

/**
 * The seed's severities, from value / baseline × 100: Minor below 150 %, Major from 150
 * to 200 %, Critical above 200 %.
 */
export function severityFor(ratioPercent: number): Severity {
  if (ratioPercent > 200) return 'critical';
  if (ratioPercent >= 150) return 'major';
  return 'minor';
}

export function anomalyKey(kind: AnomalyKind, start: Date): string {
  return `${kind}:${start.toISOString()}`;
}

/** Average power in watts of an interval's energy. */
export function toWatts(kwh: number, intervalSeconds: number): number {
  return (kwh * 1000 * 3600) / intervalSeconds;
}

/** Energy in kWh over an interval at a given average power. */
export function toKwh(watts: number, intervalSeconds: number): number {
  return (watts * intervalSeconds) / 3600 / 1000;
}

export function roundTo(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * How the user's threshold and the statistical test combine, for `--help` and the docs:
 * both must hold, so the threshold is a floor the user sets and the meter's own variability
 * decides the rest.
 */
export const THRESHOLD_HELP =
  'An interval counts as over when it is above threshold % of its baseline (the usual power ' +
  'at that time of week; 120 by default, Minor up to 150 %, Major up to 200 %, Critical ' +
  'above) AND unusual for this meter (more than 3.5 robust standard deviations of its own ' +
  "half-hour variability above the day's level) AND at least minExcessWatts above the " +
  'baseline; an alert needs persistenceMinutes of it.';
