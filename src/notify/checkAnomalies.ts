/**
 * Anomaly check of one series: load the analysis window and the history its baseline
 * needs, detect once, then hand what was detected to the alerting step, which stores the
 * new anomalies and queues their alerts in one transaction. Running it again over the
 * same data stores and queues nothing.
 */
import {
  detectAnomalyEvents,
  type Anomaly,
  type AnomalyMethod,
  type DetectionResult,
} from '../analytics/anomalies.js';
import { DEFAULT_BASELINE_DAYS, type IntervalValue } from '../analytics/anomalyTypes.js';
import type { Config } from '../config.js';
import { storeAnomalies, type StoredAnomaly } from '../db/anomalies.js';
import { seriesValues } from '../db/readings.js';
import type { Database } from '../db/types.js';
import type { MetricType } from '../domain/readings.js';
import type { Logger } from '../ui/logger.js';
import { enqueueNotifications } from './outbox.js';
import { channelsFor } from './rules.js';

const DAY_MS = 86_400_000;
/** The moving average looks back one week. */
const MOVING_AVERAGE_DAYS = 7;
/** Slack around the history so local days cut by DST or a late first reading stay whole. */
const HISTORY_MARGIN_DAYS = 2;

/** One series of one building, as stored anomalies name it. */
export interface SeriesRef {
  buildingId: string;
  deviceRef: string;
  metricType: MetricType;
}

export interface DetectionSettings {
  method: AnomalyMethod;
  thresholdPercent: number;
  /** The analysis window, [from, to). */
  from: Date;
  to: Date;
  timeZone: string;
}

export interface SeriesDetection extends DetectionResult {
  /** Readings of the window and the history before it, oldest first. */
  readings: IntervalValue[];
}

export interface CheckOptions extends SeriesRef {
  timeZone: string;
  /** Default: the configured method. */
  method?: AnomalyMethod;
  /** Default: the configured threshold. */
  thresholdPercent?: number;
  /** Days analysed up to now. Default: the configured number. */
  days?: number;
  now?: Date;
  log?: Logger;
}

export interface AlertingResult {
  /** Newly stored. */
  stored: StoredAnomaly[];
  /** Notifications queued for the newly stored ones. */
  queued: number;
}

export interface CheckResult {
  /** Anomalies found in the window, stored before or not. */
  detected: number;
  /** Newly stored. */
  stored: number;
  /** Notifications queued for the newly stored ones. */
  queued: number;
  anomalies: StoredAnomaly[];
}

/** The earliest reading the detector needs for a window starting at `from`. */
export function historyStart(from: Date, method: AnomalyMethod): Date {
  const days = method === 'profile' ? DEFAULT_BASELINE_DAYS : MOVING_AVERAGE_DAYS;
  return new Date(from.getTime() - (days + HISTORY_MARGIN_DAYS) * DAY_MS);
}

/** The analysis window: the last `days` days up to `now`. */
export function detectionWindow(now: Date, days: number): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - days * DAY_MS), to: now };
}

/** Loads one series (window and history) and detects its anomalies, once. */
export async function detectSeries(
  db: Database,
  config: Config,
  series: SeriesRef,
  settings: DetectionSettings,
): Promise<SeriesDetection> {
  const readings = await seriesValues(db, {
    buildingId: series.buildingId,
    deviceRef: series.deviceRef,
    metricType: series.metricType,
    from: historyStart(settings.from, settings.method),
    to: settings.to,
  });
  const result = detectAnomalyEvents(readings, {
    ...detectorOptions(config),
    from: settings.from,
    to: settings.to,
    zone: settings.timeZone,
    method: settings.method,
    thresholdPercent: settings.thresholdPercent,
  });
  return { readings, ...result };
}

/** The detector options the config sets (persistence, minimum excess, adoption, language). */
export function detectorOptions(config: Config) {
  return {
    persistenceMinutes: config.anomalies.persistenceMinutes,
    minExcessWatts: config.anomalies.minExcessWatts,
    levelShiftAdoptWeeks: config.anomalies.levelShiftAdoptWeeks,
    language: config.alerts.language,
  };
}

/**
 * The alerting step: stores what the detector found (anomalies stored before are skipped)
 * and queues an alert on every channel whose rules the new ones meet, in one transaction.
 */
export async function storeAndAlert(
  db: Database,
  config: Config,
  series: SeriesRef & { method: AnomalyMethod },
  detected: readonly Anomaly[],
): Promise<AlertingResult> {
  if (detected.length === 0) return { stored: [], queued: 0 };
  const rows = detected.map((a) => ({
    ...series,
    kind: a.kind,
    start: a.start,
    end: a.end,
    value: a.value,
    baseline: a.baseline,
    variancePercent: a.variancePercent,
    severity: a.severity,
    message: a.message,
    peakWatts: a.peakWatts,
    sizeWatts: a.sizeWatts,
    ongoing: a.ongoing ?? false,
  }));
  return db.transaction(async (tx) => {
    const fresh = await storeAnomalies(tx, rows);
    let queued = 0;
    for (const a of fresh) {
      const channels = channelsFor(config.alerts.rules, a);
      queued += await enqueueNotifications(tx, a, channels, config.alerts.language);
    }
    return { stored: fresh, queued };
  });
}

/** Detects over the last `days` days of one series and alerts on what is new. */
export async function checkAnomalies(
  db: Database,
  config: Config,
  opts: CheckOptions,
): Promise<CheckResult> {
  const method = opts.method ?? config.anomalies.method;
  const series = {
    buildingId: opts.buildingId,
    deviceRef: opts.deviceRef,
    metricType: opts.metricType,
  };
  const { anomalies } = await detectSeries(db, config, series, {
    ...detectionWindow(opts.now ?? new Date(), opts.days ?? config.anomalies.days),
    method,
    thresholdPercent: opts.thresholdPercent ?? config.anomalies.thresholdPercent,
    timeZone: opts.timeZone,
  });
  const { stored, queued } = await storeAndAlert(db, config, { ...series, method }, anomalies);
  if (stored.length > 0) {
    opts.log?.info('new anomalies stored', {
      device: opts.deviceRef,
      detected: anomalies.length,
      stored: stored.length,
      alerts_queued: queued,
    });
  }
  return { detected: anomalies.length, stored: stored.length, queued, anomalies: stored };
}
