/**
 * `anomalies --explain ID`: why a stored anomaly fired. The readings of its local days and
 * the history their baseline needs are loaded, the profile detector is run again over them
 * with the configured settings, and every interval's baseline, spread, threshold and limit
 * come back with the measured power.
 */
import { explainAnomaly, type AnomalyExplanation } from '../analytics/anomalyExplain.js';
import { findAnomaly, type StoredAnomaly } from '../db/anomalies.js';
import { resolveBuilding } from '../db/buildings.js';
import { seriesValues } from '../db/readings.js';
import { detectorOptions, historyStart } from '../notify/checkAnomalies.js';
import { isMetricType } from '../domain/readings.js';
import { buildingSummary, type BuildingSummary, type ServiceDeps } from './deps.js';

const DAY_MS = 86_400_000;
/** Local days shown at most: a long event (a level shift) shows its first two. */
export const EXPLAIN_MAX_DAYS = 2;

export interface ExplainQuery {
  /** Anomaly id, or its first 8 characters at least. */
  id: string;
  /** Default: the configured threshold (the one detection runs with). */
  thresholdPercent?: number;
}

export interface ExplainedAnomaly {
  building: BuildingSummary;
  anomaly: StoredAnomaly;
  explanation: AnomalyExplanation;
  /** Said when the anomaly was found by another method than the one re-run here. */
  note: string | null;
}

export async function explainStoredAnomaly(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  query: ExplainQuery,
): Promise<ExplainedAnomaly> {
  const { db, config } = deps;
  const anomaly = await findAnomaly(db, query.id);
  const building = await resolveBuilding(db, anomaly.buildingId);
  const shownTo = new Date(
    Math.min(anomaly.end.getTime(), anomaly.start.getTime() + EXPLAIN_MAX_DAYS * DAY_MS) + DAY_MS,
  );
  const readings = await seriesValues(db, {
    buildingId: anomaly.buildingId,
    deviceRef: anomaly.deviceRef,
    metricType: isMetricType(anomaly.metricType) ? anomaly.metricType : undefined,
    from: historyStart(new Date(anomaly.start.getTime() - DAY_MS), 'profile'),
    to: shownTo,
  });
  const explanation = explainAnomaly(readings, {
    start: anomaly.start,
    end: anomaly.end,
    maxDays: EXPLAIN_MAX_DAYS,
    options: {
      ...detectorOptions(config),
      zone: building.timezone,
      thresholdPercent: query.thresholdPercent ?? config.anomalies.thresholdPercent,
    },
  });
  const note =
    anomaly.method === 'profile'
      ? null
      : `found by the ${anomaly.method} method; shown against the profile baseline`;
  return { building: buildingSummary(building), anomaly, explanation, note };
}
