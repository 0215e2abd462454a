/**
 * A building's month: total and daily average against the month before and the same month
 * a year earlier, the daily totals, the month's statistics row, the anomalies of the month
 * not acknowledged yet, and the state of its meters.
 */
import { DateTime } from 'luxon';
import { UsageError } from '../domain/errors.js';
import {
  compareDailyAverages,
  lastCompleteMonth,
  monthFigures,
  type MonthFigures,
} from '../analytics/monthComparison.js';
import {
  periodEnd,
  periodEndDay,
  periodFirstDay,
  periodStart,
  previousPeriod,
  sameLastYear,
} from '../analytics/periods.js';
import {
  computeStatistics,
  type PeriodComparison,
  type StatsDataPoint,
} from '../analytics/stats.js';
import { listAnomalies, type StoredAnomaly } from '../db/anomalies.js';
import { resolveBuilding } from '../db/buildings.js';
import { listDevices } from '../db/devices.js';
import { dailyAggregates } from '../db/stats.js';
import type { Config } from '../config.js';
import { storedUnit } from '../domain/readings.js';
import type { StatsMetric } from '../domain/statsMetrics.js';
import {
  buildingSummary,
  type BuildingRef,
  type BuildingSummary,
  type ServiceDeps,
} from './deps.js';

import { reportMoney, type ReportMoney } from './reportCosts.js';

export type { MonthFigures };

/** A caller without a configuration: no bill; the peak and default carbon factors only. */
const NO_TARIFFS = { tariffs: undefined, configFile: null };

export interface ReportQuery {
  building?: BuildingRef;
  /** `YYYY-MM`; default the last complete month in the building's zone. */
  month?: string;
  metricType: StatsMetric;
}

export interface MeterState {
  prm: string;
  provider: string;
  status: string;
  status_message: string | null;
  sync_enabled: boolean;
  consent_expires_at: string | null;
  last_sync_at: string | null;
  last_sync_status: string | null;
  /** Readings complete up to this instant (the sync checkpoint). */
  data_until: string | null;
}

export interface MonthlyReport {
  building: BuildingSummary;
  metric_type: string;
  unit: string;
  month: string;
  date_range: { start: string; end: string };
  summary: MonthFigures & {
    count: number;
    expected_count: number;
    /** Of the totals, the seed's comparison ("+5.2%"; null when not comparable). */
    comparison: PeriodComparison;
    daily_average_comparison: PeriodComparison;
    previous_period: MonthFigures | null;
    previous_year: MonthFigures | null;
  };
  /** One point per local day of the month: the chart's data. */
  daily: { day: string; total: number; coverage: number }[];
  /** The month's row of `stats --period month`. */
  monthly_statistics: StatsDataPoint;
  /** Anomalies of the month not acknowledged yet. */
  anomalies: StoredAnomaly[];
  meters: MeterState[];
  /** The month's bill estimate under the building's contract (null: no contract). */
  bill: ReportMoney['bill'];
  /** The month's highest quarter-hour demand, and what it cost under a capacity tariff. */
  peak: ReportMoney['peak'];
  /** kg CO2e of the month's consumption. */
  carbon: ReportMoney['carbon'];
  /** When the report was made: what "consent expired" is measured against. */
  generated_at: string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function buildReport(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'now'>,
  query: ReportQuery,
): Promise<MonthlyReport> {
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  return reportOfBuilding(deps, building, query);
}

/** The same, for a building already found. */
export async function reportOfBuilding(
  deps: Pick<ServiceDeps, 'db' | 'now'> & { config?: Pick<Config, 'tariffs' | 'configFile'> },
  building: BuildingSummary,
  query: Omit<ReportQuery, 'building'>,
): Promise<MonthlyReport> {
  const now = deps.now();
  const zone = building.timezone;
  const metricType = query.metricType;
  const month = query.month ?? lastCompleteMonth(now, zone);
  // A month that has not begun in the building's zone has nothing to report: a usage error,
  // not a chart of zeros.
  if (periodStart(month, zone).getTime() > now.getTime())
    throw new UsageError(`--month ${month} has not begun yet in ${zone}`, {
      hint: `give a month up to ${DateTime.fromJSDate(now).setZone(zone).toFormat('yyyy-MM')}`,
    });
  const { months, daily } = await monthStatistics(deps, building, metricType, month);
  const row = months[months.length - 1] as StatsDataPoint;
  const current = monthFigures(row) ?? {
    period: month,
    total: 0,
    daily_average: null,
    coverage: 0,
  };
  const previous = monthFigures(months.find((p) => p.period === previousPeriod(month)));
  const lastYear = monthFigures(months.find((p) => p.period === sameLastYear(month)));
  const open = await listAnomalies(deps.db, {
    buildingId: building.id,
    from: periodStart(month, zone),
    to: periodEnd(month, zone),
    metricType,
  });
  return {
    building: buildingSummary(building),
    metric_type: metricType,
    unit: storedUnit(metricType),
    month,
    date_range: { start: row.start, end: row.end },
    summary: {
      ...current,
      count: row.count,
      expected_count: row.expected_count,
      comparison: row.comparison,
      daily_average_comparison: {
        previous_period: compareDailyAverages(current, previous),
        previous_year: compareDailyAverages(current, lastYear),
      },
      previous_period: previous,
      previous_year: lastYear,
    },
    daily: daily.map((p) => ({ day: p.period, total: p.total, coverage: p.coverage })),
    monthly_statistics: row,
    anomalies: open,
    meters: await meterStates(deps, building.id),
    ...(metricType === 'electricity_consumption'
      ? await reportMoney(deps.db, deps.config ?? NO_TARIFFS, building, month)
      : { bill: null, peak: null, carbon: null }),
    generated_at: now.toISOString(),
  };
}

/** Thirteen months (the month and the year before it: both comparisons) and the month's days. */
async function monthStatistics(
  deps: Pick<ServiceDeps, 'db'>,
  building: BuildingSummary,
  metricType: StatsMetric,
  month: string,
): Promise<{ months: StatsDataPoint[]; daily: StatsDataPoint[] }> {
  const zone = building.timezone;
  const from = periodFirstDay(sameLastYear(month));
  const end = periodEndDay(month);
  const days = await dailyAggregates(deps.db, {
    buildingId: building.id,
    zone,
    metricType,
    fromDay: from,
    toDay: end,
  });
  const base = { zone, metricType, unit: storedUnit(metricType) };
  const months = computeStatistics(days, { ...base, period: 'month', from, to: end }).data_points;
  const first = periodFirstDay(month);
  const daily = computeStatistics(days, { ...base, period: 'day', from: first, to: end });
  return { months, daily: daily.data_points };
}

async function meterStates(
  deps: Pick<ServiceDeps, 'db'>,
  buildingId: string,
): Promise<MeterState[]> {
  const devices = await listDevices(deps.db, { buildingId });
  return devices.map((d) => ({
    prm: d.prm,
    provider: d.provider,
    status: d.status,
    status_message: d.status_message,
    sync_enabled: d.sync_enabled,
    consent_expires_at: iso(d.consent_expires_at),
    last_sync_at: iso(d.last_sync_at),
    last_sync_status: d.last_sync_status,
    data_until: iso(d.checkpoint_at),
  }));
}
