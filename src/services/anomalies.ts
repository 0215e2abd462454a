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
import { deliverPending, type DeliveryResult } from '../notify/outbox.js';
import { seriesOfBuilding } from '../db/stats.js';
import { resolveSeriesRef } from './meterRef.js';
import type { StatsMetric } from '../domain/statsMetrics.js';
import {
  detectSeries,
  detectionWindow,
  storeAndAlert,
  type SeriesDetection,
} from '../notify/checkAnomalies.js';
import { anomalyCost, type AnomalyCost } from './anomalyCosts.js';
import { pricingOf } from './costs.js';
import {
  buildingSummary,
  type BuildingRef,
  type BuildingSummary,
  type ServiceDeps,
} from './deps.js';

export { ANOMALY_METHODS, type AnomalyMethod, type StoredAnomaly, type AcknowledgeResult };
export { THRESHOLD_HELP } from '../analytics/anomalyTypes.js';
export { explainStoredAnomaly, type ExplainedAnomaly } from './anomalyExplain.js';

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
} & AnomalyCost;

/**
 * How much of the window a series could be judged on: a day is judged only once its meter
 * has enough usable history, before that it is "not enough history", never a guess.
 */
export interface SeriesHistory {
  device_ref: string;
  history: 'enough' | 'partial' | 'none';
  /**
   * When judging starts: the first instant judged ('partial'), or for 'none' the earliest
   * it can (the first reading plus the days needed, if none is missing); null without data.
   */
  judged_from: string | null;
  history_days_needed: number;
}

export interface AnomaliesResult extends Omit<AnomalyReport, 'anomalies'> {
  anomalies: AnomalyReportRow[];
  /** Series without enough history for the whole window (empty when all had it). */
  not_enough_history: SeriesHistory[];
  building: BuildingSummary;
  metric_type: string;
  /** Newly stored by this run, and alerts queued for them (0 without storing). */
  stored: number;
  alerts_queued: number;
  /** What the over-consumption of every anomaly cost; null without a tariff for the building. */
  cost_total_eur: number | null;
  /**
   * Alerts delivered by this run (its own and any left pending by earlier runs), when a
   * channel besides the built-in log is configured; null when delivery is left to the next
   * command that delivers (sync, the daemon).
   */
  alerts_delivered: DeliveryResult | null;
}

type Settings = { method: AnomalyMethod; thresholdPercent: number; from: Date; to: Date };

const costKey = (deviceRef: string, key: string) => `${deviceRef}\u0000${key}`;

const storedKey = (deviceRef: string, kind: string, startIso: string) =>
  `${deviceRef}\u0000${kind}\u0000${startIso}`;

/**
 * Detects the anomalies of a building's series over the last `days` days, stores the new
 * ones and queues their alerts (a re-run stores nothing twice), and returns the seed's
 * report over every series.
 */
export async function findAnomalies(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'now'> & Partial<Pick<ServiceDeps, 'log'>>,
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
  const pricing = await pricingOf(config, building);
  const costs = new Map<string, AnomalyCost>();
  const short: SeriesHistory[] = [];
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
    for (const a of detection.anomalies)
      costs.set(
        costKey(deviceRef, a.key),
        anomalyCost(a, detection.readings, deviceRef, pricing, building.timezone),
      );
    if (detection.history !== 'enough') {
      short.push({
        device_ref: deviceRef,
        history: detection.history,
        judged_from: judgingStarts(detection)?.toISOString() ?? null,
        history_days_needed: detection.historyDaysNeeded,
      });
    }
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
  const delivered =
    query.store && deps.log && hasConfiguredChannel(config)
      ? await deliverPending(db, config, { log: deps.log })
      : null;
  const report = buildAnomalyReport([], inWindow, settings);
  const rows = (await reportRows(deps, building.id, query, settings, found)).map((r) => ({
    ...r,
    ...(costs.get(costKey(r.device_ref, r.key)) ?? { excess_kwh: 0, cost_eur: null }),
  }));
  return {
    ...report,
    anomalies: rows,
    cost_total_eur: pricing
      ? Math.round(rows.reduce((s, r) => s + Math.round((r.cost_eur ?? 0) * 100), 0)) / 100
      : null,
    total_anomalies: rows.length,
    not_enough_history: short,
    building: buildingSummary(building),
    metric_type: query.metricType,
    stored,
    alerts_queued: queued,
    alerts_delivered: delivered,
  };
}

/**
 * A channel the user configured (webhook, e-mail, or a log of their own): then a manual
 * run delivers its alerts at once. With only the built-in log channel they wait in the
 * outbox for the next sync or daemon cycle, which delivers whatever is pending.
 */
function hasConfiguredChannel(config: Pick<ServiceDeps['config'], 'notifications'>): boolean {
  return Object.keys(config.notifications.channels).some((name) => name !== 'log');
}

function judgingStarts(d: SeriesDetection): Date | undefined {
  if (d.judgedFrom) return d.judgedFrom;
  const first = d.readings[0];
  if (!first) return undefined;
  return new Date(first.timestamp.getTime() + d.historyDaysNeeded * 86_400_000);
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
): Promise<Omit<AnomalyReportRow, keyof AnomalyCost>[]> {
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
  // A stored event may have absorbed this one under another start or kind (see storeAnomalies).
  const absorbing = (deviceRef: string, json: AnomalyJson) =>
    storedOnes.find(
      (s) =>
        s.deviceRef === deviceRef &&
        (s.kind === json.kind || s.kind === 'level_shift') &&
        s.start.getTime() < Date.parse(json.end) &&
        s.end.getTime() > Date.parse(json.timestamp),
    );
  const rows = found.flatMap(({ deviceRef, anomalies }) =>
    buildAnomalyReport(anomalies, [], settings).anomalies.map((json) => {
      const s =
        known.get(storedKey(deviceRef, json.kind, json.timestamp)) ?? absorbing(deviceRef, json);
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
