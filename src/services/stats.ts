/** Statistics of one building (or one of its meters) over local periods. */
import {
  comparisonLookbackStart,
  computeStatistics,
  type ConsumptionStats,
} from '../analytics/stats.js';
import { resolveBuilding } from '../db/buildings.js';
import { dailyAggregates } from '../db/stats.js';
import { localDayStart } from '../analytics/periods.js';
import type { Config } from '../config.js';
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
import { statsCostsAndCarbon, type StatsCarbon, type StatsCosts } from './statsCosts.js';
import { dailyTotalsMetric, fillFromDailyTotals } from './dailyTotalsFill.js';

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
  /** Euros per period under the building's contract; null when it has none (kWh only). */
  costs: StatsCosts | null;
  /** kg CO2e per period; null for other metrics, or a grid the building's zone does not tell. */
  carbon: StatsCarbon | null;
  /** Days counted from the meter's daily totals where the load curve is missing (coverage). */
  days_from_daily_totals: string[];
}

/** A caller without a configuration: kWh and carbon from the default factors only. */
const NO_TARIFFS = { tariffs: undefined, configFile: null };

export async function computeStats(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'now'>,
  query: StatsQuery,
): Promise<StatsResult> {
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  return statsOfBuilding(deps, building, query);
}

/** The same, for a building already found. */
export async function statsOfBuilding(
  deps: Pick<ServiceDeps, 'db' | 'now'> & { config?: Pick<Config, 'tariffs' | 'configFile'> },
  building: BuildingSummary,
  query: Omit<StatsQuery, 'building'>,
): Promise<StatsResult> {
  const { period, metricType } = query;
  const device = await resolveSeriesRef(deps.db, building, query.device);
  const zone = building.timezone;
  const { from, to } = statsDayRange(period, query.dates?.(zone) ?? {}, zone, deps.now());
  const lookback = comparisonLookbackStart(from, period, zone);
  const range = {
    buildingId: building.id,
    zone,
    deviceRef: device,
    fromDay: lookback,
    toDay: to,
  };
  const curve = await dailyAggregates(deps.db, { ...range, metricType });
  const totalsMetric = dailyTotalsMetric(metricType);
  const filled = totalsMetric
    ? fillFromDailyTotals(
        curve,
        await dailyAggregates(deps.db, { ...range, metricType: totalsMetric }),
      )
    : { days: curve, fromDailyTotals: [] };
  const days = filled.days;
  const options = { period, zone, from, to, metricType, unit: storedUnit(metricType) };
  const stats = computeStatistics(days, options);
  const money =
    metricType === 'electricity_consumption'
      ? await statsCostsAndCarbon(deps.db, deps.config ?? NO_TARIFFS, building, {
          points: stats.data_points,
          from: new Date(stats.date_range.start),
          to: new Date(stats.date_range.end),
          lookbackFrom: localDayStart(lookback, zone),
          zone,
          device: device,
          // Coverage of the compared periods too: the statistics over the lookback days.
          coverage: new Map(
            computeStatistics(days, { ...options, from: lookback }).data_points.map((p) => [
              p.period,
              p.coverage,
            ]),
          ),
        })
      : { costs: null, carbon: null };
  return {
    ...stats,
    building: buildingSummary(building),
    device_ref: device ?? null,
    ...money,
    days_from_daily_totals: filled.fromDailyTotals.filter((d) => d >= from && d < to),
  };
}
