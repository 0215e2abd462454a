/**
 * Anomaly check after a device's sync: load the analysis window and the history its
 * baseline needs, detect, then store the new anomalies and queue their alerts in one
 * transaction. Running it again over the same data stores and queues nothing.
 */
import { detectAnomalies, type AnomalyMethod } from '../analytics/anomalies.js';
import { DEFAULT_BASELINE_DAYS } from '../analytics/anomalyTypes.js';
import type { Config } from '../config.js';
import { storeAnomalies, type NewAnomaly, type StoredAnomaly } from '../db/anomalies.js';
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

export interface CheckOptions {
  buildingId: string;
  timeZone: string;
  deviceRef: string;
  metricType: MetricType;
  /** Default: the configured method. */
  method?: AnomalyMethod;
  /** Default: the configured threshold. */
  thresholdPercent?: number;
  /** Days analysed up to now. Default: the configured number. */
  days?: number;
  now?: Date;
  log?: Logger;
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

export async function checkAnomalies(
  db: Database,
  config: Config,
  opts: CheckOptions,
): Promise<CheckResult> {
  const method = opts.method ?? config.anomalies.method;
  const thresholdPercent = opts.thresholdPercent ?? config.anomalies.thresholdPercent;
  const days = opts.days ?? config.anomalies.days;
  const language = config.alerts.language;
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - days * DAY_MS);

  const readings = await seriesValues(db, {
    buildingId: opts.buildingId,
    deviceRef: opts.deviceRef,
    metricType: opts.metricType,
    from: historyStart(from, method),
    to,
  });
  const found = detectAnomalies(readings, {
    from,
    to,
    zone: opts.timeZone,
    method,
    thresholdPercent,
    language,
  });
  if (found.length === 0) return { detected: 0, stored: 0, queued: 0, anomalies: [] };

  const rows: NewAnomaly[] = found.map((a) => ({
    buildingId: opts.buildingId,
    deviceRef: opts.deviceRef,
    metricType: opts.metricType,
    kind: a.kind,
    method,
    start: a.start,
    end: a.end,
    value: a.value,
    baseline: a.baseline,
    variancePercent: a.variancePercent,
    severity: a.severity,
    message: a.message,
  }));
  const { stored, queued } = await db.transaction(async (tx) => {
    const fresh = await storeAnomalies(tx, rows);
    let count = 0;
    for (const a of fresh) {
      const channels = channelsFor(config.alerts.rules, a);
      count += await enqueueNotifications(tx, a, channels, language);
    }
    return { stored: fresh, queued: count };
  });
  if (stored.length > 0) {
    opts.log?.info('new anomalies stored', {
      device: opts.deviceRef,
      detected: found.length,
      stored: stored.length,
      alerts_queued: queued,
    });
  }
  return { detected: found.length, stored: stored.length, queued, anomalies: stored };
}
