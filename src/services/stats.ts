/** Statistics of one building (or one of its meters) over local periods. */
import {
  comparisonLookbackStart,
  computeStatistics,
  type ConsumptionStats,
} from '../analytics/stats.js';
import { resolveBuilding } from '../db/buildings.js';
import { dailyAggregates } from '../db/stats.js';
import { storedUnit } from '../domain/readings.js';
import { resolveSeriesRef } from './meterRef.js';
import type { StatsMetric } from '../domain/statsMetrics.js';
import {
  buildingSummary,
  type BuildingRef,
  type BuildingSummary,
  type ServiceDeps,
} from './deps.js';
import { statsDayRange, type DateArgs, type Period } from './periodRange.js';

export interface StatsQuery {
  building?: BuildingRef;
  period: Period;
  metricType: StatsMetric;
  /** One meter (PRM) or imported series; default every series of the building. */
  device?: string;
  dates?: DateArgs;
}

export interface StatsResult extends ConsumptionStats {
  building: BuildingSummary;
  /** The one meter asked for, or null for every series of the building. */
  device_ref: string | null;
}

export async function computeStats(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'now'>,
  query: StatsQuery,
): Promise<StatsResult> {
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  return statsOfBuilding(deps, building, query);
}

/** The same, for a building already found. */
export async function statsOfBuilding(
  deps: Pick<ServiceDeps, 'db' | 'now'>,
  building: BuildingSummary,
  query: Omit<StatsQuery, 'building'>,
): Promise<StatsResult> {
  const { period, metricType } = query;
  const device = await resolveSeriesRef(deps.db, building, query.device);
  const zone = building.timezone;
  const { from, to } = statsDayRange(period, query.dates?.(zone) ?? {}, zone, deps.now());
  const days = await dailyAggregates(deps.db, {
    buildingId: building.id,
    zone,
    metricType,
    deviceRef: device,
    fromDay: comparisonLookbackStart(from, period, zone),
    toDay: to,
  });
  const stats = computeStatistics(days, {
    period,
    zone,
    from,
    to,
    metricType,
    unit: storedUnit(metricType),
  });
  return { ...stats, building: buildingSummary(building), device_ref: device ?? null };
}
