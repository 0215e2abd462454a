/**
 * Anomalies of a building: detect over a window (each series loaded and analysed once;
 * what is found is handed to the alerting step, which stores the new ones and queues their
 * alerts), list the stored ones, acknowledge one.
 */
import {
  ANOMALY_METHODS,
  buildAnomalyReport,
  type Anomaly,
  type AnomalyJson,
  type AnomalyMethod,
  type AnomalyReport,
  type IntervalValue,
} from '../analytics/anomalies.js';
import {
  acknowledgeAnomaly as markAcknowledged,
  listAnomalies,
  type AcknowledgeResult,
  type StoredAnomaly,
} from '../db/anomalies.js';
import { resolveBuilding } from '../db/buildings.js';
import { seriesOfBuilding } from '../db/stats.js';
import { resolveSeriesRef } from './meterRef.js';
import type { StatsMetric } from '../domain/statsMetrics.js';
import { detectSeries, detectionWindow, storeAndAlert } from '../notify/checkAnomalies.js';
import {
  buildingSummary,
  type BuildingRef,
  type BuildingSummary,
  type ServiceDeps,
} from './deps.js';

export { ANOMALY_METHODS, type AnomalyMethod, type StoredAnomaly, type AcknowledgeResult };

export interface AnomalyQuery {
  building?: BuildingRef;
  metricType: StatsMetric;
  /** One meter (PRM) or imported series; default every series of the building. */
  device?: string;
  /** Default: the configured method, threshold and number of days. */
  method?: AnomalyMethod;
  thresholdPercent?: number;
  days?: number;
  /** False: detect and show only, store nothing, queue no alert. */
  store: boolean;
}

/** One anomaly of the report: the seed's fields, plus where it is stored and its meter. */
export type AnomalyReportRow = AnomalyJson & {
  id: string | null;
  device_ref: string;
  acknowledged: boolean;
};

export interface AnomaliesResult extends Omit<AnomalyReport, 'anomalies'> {
  anomalies: AnomalyReportRow[];
  building: BuildingSummary;
  metric_type: string;
  /** Newly stored by this run, and alerts queued for them (0 without storing). */
  stored: number;
  alerts_queued: number;
}

type Settings = { method: AnomalyMethod; thresholdPercent: number; from: Date; to: Date };

const storedKey = (deviceRef: string, kind: string, startIso: string) =>
  `${deviceRef}\u0000${kind}\u0000${startIso}`;

/**
 * Detects the anomalies of a building's series over the last `days` days, stores the new
 * ones and queues their alerts (a re-run stores nothing twice), and returns the seed's
 * report over every series.
 */
export async function findAnomalies(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'now'>,
  query: AnomalyQuery,
): Promise<AnomaliesResult> {
  const { db, config } = deps;
  const building = await resolveBuilding(db, query.building, config.defaults.building);
  query = { ...query, device: await resolveSeriesRef(db, building, query.device) };
  const settings: Settings = {
    method: query.method ?? config.anomalies.method,
    thresholdPercent: query.thresholdPercent ?? config.anomalies.thresholdPercent,
    ...detectionWindow(deps.now(), query.days ?? config.anomalies.days),
  };
  const deviceRefs = await seriesOfBuilding(db, {
    buildingId: building.id,
    metricType: query.metricType,
    from: settings.from,
    to: settings.to,
    deviceRef: query.device,
  });
  const found: { deviceRef: string; anomalies: Anomaly[] }[] = [];
  const inWindow: IntervalValue[] = [];
  let stored = 0;
  let queued = 0;
  for (const deviceRef of deviceRefs) {
    const series = { buildingId: building.id, deviceRef, metricType: query.metricType };
    const detection = await detectSeries(db, config, series, {
      ...settings,
      timeZone: building.timezone,
    });
    for (const r of detection.readings) if (r.timestamp >= settings.from) inWindow.push(r);
    found.push({ deviceRef, anomalies: detection.anomalies });
    if (!query.store) continue;
    const alerted = await storeAndAlert(
      db,
      config,
      { ...series, method: settings.method },
      detection.anomalies,
    );
    stored += alerted.stored.length;
    queued += alerted.queued;
  }
  const report = buildAnomalyReport([], inWindow, settings);
  const rows = await reportRows(deps, building.id, query, settings, found);
  return {
    ...report,
    anomalies: rows,
    total_anomalies: rows.length,
    building: buildingSummary(building),
    metric_type: query.metricType,
    stored,
    alerts_queued: queued,
  };
}

/**
 * The report's rows of every series, oldest first, each with its stored id and
 * acknowledgement (stored now or by an earlier run), matched by meter, kind and start.
 */
async function reportRows(
  deps: Pick<ServiceDeps, 'db'>,
  buildingId: string,
  query: AnomalyQuery,
  settings: Settings,
  found: { deviceRef: string; anomalies: Anomaly[] }[],
): Promise<AnomalyReportRow[]> {
  const known = new Map<string, StoredAnomaly>();
  const storedOnes = await listAnomalies(deps.db, {
    buildingId,
    from: settings.from,
    to: settings.to,
    includeAcknowledged: true,
    method: settings.method,
    metricType: query.metricType,
    deviceRef: query.device,
  });
  for (const s of storedOnes) known.set(storedKey(s.deviceRef, s.kind, s.start.toISOString()), s);
  const rows = found.flatMap(({ deviceRef, anomalies }) =>
    buildAnomalyReport(anomalies, [], settings).anomalies.map((json) => {
      const s = known.get(storedKey(deviceRef, json.kind, json.timestamp));
      return {
        id: s?.id ?? null,
        device_ref: deviceRef,
        ...json,
        acknowledged: !!s?.acknowledgedAt,
      };
    }),
  );
  return rows.sort(
    (a, b) =>
      Date.parse(a.timestamp) - Date.parse(b.timestamp) ||
      a.device_ref.localeCompare(b.device_ref) ||
      a.kind.localeCompare(b.kind),
  );
}

export interface StoredAnomalyQuery {
  building?: BuildingRef;
  /** Include acknowledged ones. */
  all: boolean;
  device?: string;
  metricType?: string;
}

export interface StoredAnomalies {
  building: BuildingSummary;
  anomalies: StoredAnomaly[];
}

export async function listStoredAnomalies(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  query: StoredAnomalyQuery,
): Promise<StoredAnomalies> {
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  const anomalies = await listAnomalies(deps.db, {
    buildingId: building.id,
    includeAcknowledged: query.all,
    deviceRef: await resolveSeriesRef(deps.db, building, query.device),
    metricType: query.metricType,
  });
  return { building: buildingSummary(building), anomalies };
}

/** Marks an anomaly (its id, or the first 8 characters at least) as seen. */
export async function acknowledgeAnomaly(
  deps: Pick<ServiceDeps, 'db'>,
  ref: string,
  by: string | undefined,
): Promise<AcknowledgeResult> {
  return markAcknowledged(deps.db, ref, by);
}
