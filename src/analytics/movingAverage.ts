/**
 * The seed's detector: an interval is anomalous when its value exceeds threshold % of the
 * mean of the previous 7 days of intervals (`avg_7d`). Kept as a selectable method so it
 * can be compared with the profile detector; on half-hourly data it flags the ordinary
 * evening peak, since a whole-day mean sits far below it.
 *
 * Missing intervals are simply absent from the mean; a baseline needs at least a day's
 * worth of readings in its window, so a gap does not produce a baseline from a handful of
 * intervals.
 */
import type { Anomaly, Language } from './anomalyTypes.js';
import { anomalyKey, roundTo, severityFor, toKwh } from './anomalyTypes.js';
import { movingAverageMessage } from './anomalyMessages.js';
import type { LocalInterval } from './localReadings.js';

const WINDOW_MS = 7 * 24 * 3600 * 1000;
const MIN_WINDOW_SECONDS = 24 * 3600;

export interface MovingAverageOptions {
  from: Date;
  to: Date;
  thresholdPercent: number;
  language: Language;
}

export function detectMovingAverage(
  intervals: readonly LocalInterval[],
  opts: MovingAverageOptions,
): Anomaly[] {
  const fromMs = opts.from.getTime();
  const toMs = opts.to.getTime();
  const found: Anomaly[] = [];
  // Sliding window over [t − 7 days, t): sums of average power and of covered seconds.
  let head = 0;
  let wattSum = 0;
  let wattCount = 0;
  let coveredSeconds = 0;
  for (let i = 0; i < intervals.length; i++) {
    const cur = intervals[i] as LocalInterval;
    while (head < i && (intervals[head] as LocalInterval).startMs < cur.startMs - WINDOW_MS) {
      const old = intervals[head] as LocalInterval;
      wattSum -= old.watts;
      wattCount -= 1;
      coveredSeconds -= old.intervalSeconds;
      head++;
    }
    if (
      cur.startMs >= fromMs &&
      cur.startMs < toMs &&
      coveredSeconds >= MIN_WINDOW_SECONDS &&
      wattCount > 0
    ) {
      const baseline = toKwh(wattSum / wattCount, cur.intervalSeconds);
      // Rounded so that float noise does not move a value across a severity boundary.
      const ratio = baseline > 0 ? roundTo((cur.value / baseline) * 100, 6) : 0;
      if (baseline > 0 && ratio > opts.thresholdPercent) {
        const variance = ratio - 100;
        found.push({
          kind: 'spike',
          key: anomalyKey('spike', cur.timestamp),
          start: cur.timestamp,
          end: new Date(cur.endMs),
          timestamp: cur.timestamp,
          value: roundTo(cur.value, 6),
          baseline: roundTo(baseline, 6),
          variancePercent: roundTo(variance, 1),
          severity: severityFor(ratio),
          message: movingAverageMessage(variance, opts.language),
        });
      }
    }
    wattSum += cur.watts;
    wattCount += 1;
    coveredSeconds += cur.intervalSeconds;
  }
  return found;
}
