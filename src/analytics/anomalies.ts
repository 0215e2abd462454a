/**
 * Anomaly detection entry point and the seed's report envelope.
 *
 * Methods: 'profile' (default; same half-hour on the same kind of day over recent weeks,
 * plus the night-baseload check) and 'moving-average' (the seed's 7-day mean), kept so
 * the two can be compared on the same data.
 */
import { UsageError } from '../domain/errors.js';
import {
  type Anomaly,
  type AnomalyMethod,
  type AnomalyOptions,
  type IntervalValue,
  type Language,
  DEFAULT_BASELINE_DAYS,
  DEFAULT_MIN_DURATION_MINUTES,
  DEFAULT_MIN_EXCESS_WATTS,
  DEFAULT_THRESHOLD_PERCENT,
  DEFAULT_LEVEL_SHIFT_ADOPT_WEEKS,
  DEFAULT_SPREAD_FACTOR,
  MIN_HISTORY_DAYS,
  anomalyKey,
  roundTo,
} from './anomalyTypes.js';
import { toLocalDays } from './localReadings.js';
import { detectMovingAverage } from './movingAverage.js';
import { detectNightBaseload } from './nightBaseload.js';
import { DEFAULT_ZONE, isValidZone } from './periods.js';
import { detectProfileSpikes, type IntervalTrace } from './profileSpikes.js';

export type {
  Anomaly,
  AnomalyKind,
  AnomalyMethod,
  AnomalyOptions,
  IntervalValue,
  Severity,
} from './anomalyTypes.js';
export type { IntervalTrace } from './profileSpikes.js';
export {
  severityFor,
  anomalyKey,
  ANOMALY_METHODS,
  DEFAULT_THRESHOLD_PERCENT,
} from './anomalyTypes.js';

function check(opts: AnomalyOptions): void {
  const zone = opts.zone ?? DEFAULT_ZONE;
  if (!isValidZone(zone)) throw new UsageError(`Unknown time zone: ${zone}`);
  if (!(opts.from.getTime() < opts.to.getTime())) {
    throw new UsageError('start_date must be before end_date');
  }
  const t = opts.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  if (!Number.isFinite(t) || t <= 100) {
    throw new UsageError(`threshold_percent must be above 100 (a share of the baseline), got ${t}`);
  }
  for (const [name, v] of [
    ['min excess watts', opts.minExcessWatts],
    ['min duration minutes', opts.minDurationMinutes],
    ['persistence minutes', opts.persistenceMinutes],
    ['spread factor', opts.spreadFactor],
  ] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new UsageError(`${name} must be a number ≥ 0, got ${v}`);
    }
  }
  const weeks = opts.levelShiftAdoptWeeks;
  if (weeks !== undefined && !(Number.isInteger(weeks) && weeks >= 1)) {
    throw new UsageError(`level shift adoption weeks must be a whole number ≥ 1, got ${weeks}`);
  }
  const days = opts.baselineDays;
  if (days !== undefined && !(Number.isInteger(days) && days >= 7)) {
    throw new UsageError(`baseline days must be a whole number ≥ 7, got ${days}`);
  }
}

/** What a detection run could judge. */
export interface DetectionResult {
  anomalies: Anomaly[];
  /**
   * 'enough': every day of [from, to) had the history its baseline needs; 'partial': the
   * first days did not (see judgedFrom); 'none': no day did. Missing history is "not
   * enough history", never a guess.
   */
  history: 'enough' | 'partial' | 'none';
  /** First instant judged, when after `from`. */
  judgedFrom?: Date;
  /** Usable days of history a day needs before it is judged. */
  historyDaysNeeded: number;
}

/**
 * Finds the anomalies of `readings` overlapping [from, to). Readings before `from` are
 * history for the baselines: give about five weeks of them (profile) or a week
 * (moving average). Sorted by start; the same input always gives the same keys.
 */
export function detectAnomalies(
  readings: readonly IntervalValue[],
  opts: AnomalyOptions,
): Anomaly[] {
  return detectAnomalyEvents(readings, opts).anomalies;
}

/** As detectAnomalies, and says whether there was enough history to judge the period. */
export function detectAnomalyEvents(
  readings: readonly IntervalValue[],
  opts: AnomalyOptions,
  trace?: (t: IntervalTrace) => void,
): DetectionResult {
  check(opts);
  const zone = opts.zone ?? DEFAULT_ZONE;
  const method: AnomalyMethod = opts.method ?? 'profile';
  const thresholdPercent = opts.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  const language: Language = opts.language ?? 'fr';
  const minExcessWatts = opts.minExcessWatts ?? DEFAULT_MIN_EXCESS_WATTS;
  const baselineDays = opts.baselineDays ?? DEFAULT_BASELINE_DAYS;
  const spreadFactor = opts.spreadFactor ?? DEFAULT_SPREAD_FACTOR;
  const days = toLocalDays(readings, zone);
  const { from, to } = opts;
  const withNight = opts.nightBaseload ?? method === 'profile';
  const night = withNight
    ? detectNightBaseload(days, {
        from,
        to,
        zone,
        thresholdPercent,
        minExcessWatts,
        baselineDays,
        language,
        spreadFactor,
        adoptWeeks: opts.levelShiftAdoptWeeks ?? DEFAULT_LEVEL_SHIFT_ADOPT_WEEKS,
      })
    : { anomalies: [], raisedDays: new Map<string, number>(), levelShifts: [] };

  if (method === 'moving-average') {
    const intervals = days.flatMap((d) => d.intervals);
    const found = detectMovingAverage(intervals, { from, to, thresholdPercent, language });
    const first = intervals.find((i) => i.startMs >= from.getTime() - 86_400_000 * 6);
    const nightInPeriod = night.anomalies.filter(
      (a) => a.start.getTime() < to.getTime() && a.end.getTime() > from.getTime(),
    );
    return {
      anomalies: sortByStart([...nightInPeriod, ...found]),
      ...historyState(from, to, first ? first.startMs + 7 * 86_400_000 : undefined, 7),
    };
  }

  const spikes = detectProfileSpikes(days, {
    from,
    to,
    zone,
    thresholdPercent,
    minExcessWatts,
    minDurationMinutes:
      opts.minDurationMinutes ?? opts.persistenceMinutes ?? DEFAULT_MIN_DURATION_MINUTES,
    baselineDays,
    language,
    spreadFactor,
    raisedDays: night.raisedDays,
    levelShifts: night.levelShifts,
    ...(trace ? { trace } : {}),
  });
  const inPeriod = (a: Anomaly): boolean =>
    a.start.getTime() < to.getTime() && a.end.getTime() > from.getTime();
  const anomalies = mergeShiftStarts(night.anomalies, spikes.anomalies).filter(inPeriod);
  return {
    anomalies: sortByStart(anomalies),
    ...historyState(from, to, spikes.firstJudgedMs, MIN_HISTORY_DAYS),
  };
}

function historyState(
  from: Date,
  to: Date,
  firstJudgedMs: number | undefined,
  needed: number,
): Omit<DetectionResult, 'anomalies'> {
  if (firstJudgedMs === undefined || firstJudgedMs >= to.getTime()) {
    return { history: 'none', historyDaysNeeded: needed };
  }
  if (firstJudgedMs > from.getTime()) {
    return { history: 'partial', judgedFrom: new Date(firstJudgedMs), historyDaysNeeded: needed };
  }
  return { history: 'enough', historyDaysNeeded: needed };
}

/**
 * A level shift is found from its nights, but the load rose at some hour of the day
 * before: the spike that hour fired is the shift's own start, not a second problem. It is
 * folded into the shift, whose start moves back to it.
 */
function mergeShiftStarts(nightEvents: Anomaly[], spikes: Anomaly[]): Anomaly[] {
  const shifts = nightEvents.filter((a) => a.kind === 'level_shift');
  const kept: Anomaly[] = [];
  for (const s of spikes) {
    const shift = shifts.find(
      (l) =>
        s.start.getTime() >= l.start.getTime() - 86_400_000 &&
        s.start.getTime() < l.start.getTime() + 2 * 86_400_000,
    );
    if (!shift) {
      kept.push(s);
      continue;
    }
    if (s.start.getTime() < shift.start.getTime()) {
      shift.start = s.start;
      shift.timestamp = s.start;
      shift.key = anomalyKey('level_shift', s.start);
    }
  }
  return [...nightEvents, ...kept];
}

function sortByStart(list: Anomaly[]): Anomaly[] {
  return list.sort((a, b) => a.start.getTime() - b.start.getTime() || a.kind.localeCompare(b.kind));
}

/** One anomaly as the seed's JSON shows it (`avg_7d` for the moving average). */
export interface AnomalyJson {
  key: string;
  kind: Anomaly['kind'];
  timestamp: string;
  end: string;
  value: number;
  avg_7d?: number;
  baseline?: number;
  variance_percent: number;
  severity: Anomaly['severity'];
  message: string;
  /** Still lasting at the end of the data. */
  ongoing?: boolean;
  peak_watts?: number;
  /** level_shift: the lasting rise, W. */
  size_w?: number;
}

export interface AnomalyReport {
  method: AnomalyMethod;
  anomalies: AnomalyJson[];
  total_anomalies: number;
  analysis_period: { start: string; end: string };
  /** Mean interval value (kWh) over the analysis period. */
  avg_consumption: number | null;
  /** The seed's figure: avg_consumption × threshold %, in kWh per interval. */
  threshold: number | null;
  threshold_percent: number;
}

/**
 * The seed's anomaly envelope. `readings` (may include history) give the period's
 * average consumption, counted over [from, to) only.
 */
export function buildAnomalyReport(
  anomalies: readonly Anomaly[],
  readings: readonly IntervalValue[],
  opts: Pick<AnomalyOptions, 'from' | 'to' | 'method' | 'thresholdPercent'>,
): AnomalyReport {
  const method = opts.method ?? 'profile';
  const thresholdPercent = opts.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT;
  const fromMs = opts.from.getTime();
  const toMs = opts.to.getTime();
  let sum = 0;
  let n = 0;
  for (const r of readings) {
    const t = r.timestamp.getTime();
    if (t >= fromMs && t < toMs && Number.isFinite(r.value)) {
      sum += r.value;
      n++;
    }
  }
  const avg = n > 0 ? sum / n : null;
  return {
    method,
    anomalies: anomalies.map((a) => ({
      key: a.key,
      kind: a.kind,
      timestamp: a.start.toISOString(),
      end: a.end.toISOString(),
      value: a.value,
      ...(method === 'moving-average' && a.kind === 'spike'
        ? { avg_7d: a.baseline }
        : { baseline: a.baseline }),
      variance_percent: a.variancePercent,
      severity: a.severity,
      message: a.message,
      ...(a.ongoing === undefined ? {} : { ongoing: a.ongoing }),
      ...(a.peakWatts === undefined ? {} : { peak_watts: a.peakWatts }),
      ...(a.sizeWatts === undefined ? {} : { size_w: a.sizeWatts }),
    })),
    total_anomalies: anomalies.length,
    analysis_period: { start: opts.from.toISOString(), end: opts.to.toISOString() },
    avg_consumption: avg === null ? null : roundTo(avg, 6),
    threshold: avg === null ? null : roundTo((avg * thresholdPercent) / 100, 6),
    threshold_percent: thresholdPercent,
  };
}
