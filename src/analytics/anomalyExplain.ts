/**
 * Why an anomaly fired: for each interval of the local days it covers, the measured power,
 * the expected power (baseline), the meter's own spread at that time of day, the day level,
 * and the limit above which an interval counts as over (the higher of the user's threshold
 * and the statistical test). Data only: the terminal chart is drawn elsewhere.
 */
import { DateTime } from 'luxon';
import { detectAnomalyEvents } from './anomalies.js';
import type { AnomalyOptions, IntervalValue } from './anomalyTypes.js';
import { DEFAULT_SPREAD_FACTOR, DEFAULT_THRESHOLD_PERCENT } from './anomalyTypes.js';
import { DEFAULT_ZONE } from './periods.js';
import type { IntervalTrace } from './profileSpikes.js';

export interface ExplainPoint {
  /** Interval start, UTC. */
  timestamp: Date;
  watts: number;
  baselineWatts: number;
  /** Relative robust standard deviation of this time of day (0.15: 15 %). */
  spread: number;
  /** The day's level (median ratio to its baseline), at least 0.5. */
  dayLevel: number;
  /** The user's threshold_percent of the baseline, or baseline + minimum excess, W. */
  thresholdWatts: number;
  /** Power above which the interval is over: both tests passed, W. */
  limitWatts: number;
  over: boolean;
  /** Inside [start, end) of the anomaly explained. */
  inAnomaly: boolean;
}

export interface AnomalyExplanation {
  start: Date;
  end: Date;
  thresholdPercent: number;
  spreadFactor: number;
  /** The local days covered (at most `maxDays`), interval by interval. */
  points: ExplainPoint[];
  /** Why some intervals could not be judged, when none could. */
  note?: string;
}

export interface ExplainRequest {
  /** The anomaly's span. */
  start: Date;
  end: Date;
  /** Detector options as used to find it (zone, threshold, persistence…). */
  options?: Omit<AnomalyOptions, 'from' | 'to'>;
  /** Days shown at most (a long event: its first days). Default 2. */
  maxDays?: number;
}

/**
 * Re-runs the profile detector over `readings` (give the anomaly's days and the history
 * before them, as for detection) and returns the judgement of every interval of the
 * anomaly's local days.
 */
export function explainAnomaly(
  readings: readonly IntervalValue[],
  req: ExplainRequest,
): AnomalyExplanation {
  const zone = req.options?.zone ?? DEFAULT_ZONE;
  const firstDay = DateTime.fromJSDate(req.start, { zone }).startOf('day');
  const lastDay = DateTime.fromJSDate(new Date(req.end.getTime() - 1), { zone }).startOf('day');
  const maxDays = req.maxDays ?? 2;
  const shownEnd = DateTime.min(lastDay.plus({ days: 1 }), firstDay.plus({ days: maxDays }));
  const from = firstDay.toJSDate();
  const to = shownEnd.toJSDate();
  const points: ExplainPoint[] = [];
  const startMs = req.start.getTime();
  const endMs = req.end.getTime();
  const collect = (t: IntervalTrace): void => {
    const ms = t.interval.startMs;
    if (ms < from.getTime() || ms >= to.getTime()) return;
    points.push({
      timestamp: t.interval.timestamp,
      watts: t.interval.watts,
      baselineWatts: t.expectedWatts,
      spread: t.spread,
      dayLevel: t.level,
      thresholdWatts: t.thresholdWatts,
      limitWatts: t.limitWatts,
      over: t.over,
      inAnomaly: ms >= startMs && ms < endMs,
    });
  };
  const result = detectAnomalyEvents(
    readings,
    { ...req.options, method: 'profile', from, to },
    collect,
  );
  return {
    start: req.start,
    end: req.end,
    thresholdPercent: req.options?.thresholdPercent ?? DEFAULT_THRESHOLD_PERCENT,
    spreadFactor: req.options?.spreadFactor ?? DEFAULT_SPREAD_FACTOR,
    points,
    ...(points.length === 0
      ? {
          note:
            result.history === 'enough'
              ? 'no readings on these days'
              : `not enough history: ${result.historyDaysNeeded} usable days are needed before a day is judged`,
        }
      : {}),
  };
}
