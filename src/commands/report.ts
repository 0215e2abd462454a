import { Command } from 'commander';
import { DateTime } from 'luxon';
import {
  localDayOf,
  periodEnd,
  periodEndDay,
  periodFirstDay,
  periodKey,
  periodOfLabel,
  periodStart,
  previousPeriod,
  sameLastYear,
} from '../analytics/periods.js';
import {
  MIN_COMPARABLE_COVERAGE,
  computeStatistics,
  formatChange,
  type PeriodComparison,
  type StatsDataPoint,
} from '../analytics/stats.js';
import { anomalyJson, listAnomalies, type StoredAnomaly } from '../db/anomalies.js';
import { resolveBuilding, type Building } from '../db/buildings.js';
import { listDevices } from '../db/devices.js';
import { dailyAggregates } from '../db/stats.js';
import type { Queryable } from '../db/types.js';
import { UsageError } from '../domain/errors.js';
import { storedUnit } from '../domain/readings.js';
import { renderChart } from '../ui/chart.js';
import { createColors } from '../ui/color.js';
import { writeResult } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { renderStoredTable } from './anomalies.js';
import { contextFrom, outputFormat, withDatabase, type Context } from './context.js';
import { STATS_METRICS, formatCoverage, parseStatsMetric } from './stats.js';

export interface ReportOptions {
  building?: string;
  /** `YYYY-MM`; default the last complete month in the building's zone. */
  month?: string;
  metric?: string;
}

/** A month's figures as the summary compares them. */
export interface MonthFigures {
  period: string;
  total: number;
  /** Total per day, projected over the whole month when readings are missing. */
  daily_average: number | null;
  coverage: number;
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
  building: { id: string; name: string; timezone: string };
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
  anomalies: {
    id: string;
    device_ref: string;
    kind: string;
    method: string;
    timestamp: string;
    end: string;
    value: number;
    baseline: number;
    variance_percent: number;
    severity: string;
    message: string;
  }[];
  meters: MeterState[];
}

/** The month before the one holding `now` in `zone`. */
export function lastCompleteMonth(now: Date, zone: string): string {
  return previousPeriod(periodKey(localDayOf(now, zone), 'month'));
}

export function parseMonth(value: string): string {
  const m = value.trim();
  if (!/^\d{4}-\d{2}$/.test(m) || periodOfLabel(m) !== 'month') {
    throw new UsageError(`--month must be a month as YYYY-MM (e.g. 2025-10), got "${value}"`);
  }
  return m;
}

function daysIn(month: string): number {
  const first = DateTime.fromISO(periodFirstDay(month), { zone: 'UTC' });
  return DateTime.fromISO(periodEndDay(month), { zone: 'UTC' }).diff(first, 'days').days;
}

function figures(p: StatsDataPoint | undefined): MonthFigures | null {
  if (!p || p.count === 0) return null;
  return {
    period: p.period,
    total: p.total,
    daily_average:
      p.coverage > 0 ? Math.round((p.total / p.coverage / daysIn(p.period)) * 1e6) / 1e6 : null,
    coverage: p.coverage,
  };
}

/** Same rule as the totals' comparison: both sides at least half covered. */
function compareAverages(cur: MonthFigures | null, ref: MonthFigures | null): string | null {
  if (!cur || !ref || cur.daily_average === null || ref.daily_average === null) return null;
  if (cur.coverage < MIN_COMPARABLE_COVERAGE || ref.coverage < MIN_COMPARABLE_COVERAGE) return null;
  return ref.daily_average > 0 ? formatChange(cur.daily_average / ref.daily_average) : null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Everything the monthly report shows, for one building. */
export async function buildMonthlyReport(
  q: Queryable,
  building: Pick<Building, 'id' | 'name' | 'timezone'>,
  opts: ReportOptions,
  now: Date = new Date(),
): Promise<MonthlyReport> {
  const zone = building.timezone;
  const metricType = parseStatsMetric(opts.metric);
  const unit = storedUnit(metricType);
  const month = opts.month ? parseMonth(opts.month) : lastCompleteMonth(now, zone);
  const lastYear = sameLastYear(month);
  const first = periodFirstDay(month);
  const end = periodEndDay(month);
  // From the same month a year before: the thirteen months hold both comparisons.
  const days = await dailyAggregates(q, {
    buildingId: building.id,
    zone,
    metricType,
    fromDay: periodFirstDay(lastYear),
    toDay: end,
  });
  const base = { zone, metricType, unit };
  const months = computeStatistics(days, {
    ...base,
    period: 'month',
    from: periodFirstDay(lastYear),
    to: end,
  }).data_points;
  const row = months[months.length - 1] as StatsDataPoint;
  const daily = computeStatistics(days, { ...base, period: 'day', from: first, to: end });
  const current = figures(row) ?? {
    period: month,
    total: 0,
    daily_average: null,
    coverage: 0,
  };
  const prev = figures(months.find((p) => p.period === previousPeriod(month)));
  const year = figures(months.find((p) => p.period === lastYear));

  const open = await listAnomalies(q, {
    buildingId: building.id,
    from: periodStart(month, zone),
    to: periodEnd(month, zone),
    metricType,
  });
  const devices = await listDevices(q, { buildingId: building.id });
  return {
    building: { id: building.id, name: building.name, timezone: zone },
    metric_type: metricType,
    unit,
    month,
    date_range: { start: row.start, end: row.end },
    summary: {
      ...current,
      count: row.count,
      expected_count: row.expected_count,
      comparison: row.comparison,
      daily_average_comparison: {
        previous_period: compareAverages(current, prev),
        previous_year: compareAverages(current, year),
      },
      previous_period: prev,
      previous_year: year,
    },
    daily: daily.data_points.map((p) => ({ day: p.period, total: p.total, coverage: p.coverage })),
    monthly_statistics: row,
    anomalies: open.map(anomalyJson),
    meters: devices.map((d) => ({
      prm: d.prm,
      provider: d.provider,
      status: d.status,
      status_message: d.status_message,
      sync_enabled: d.sync_enabled,
      consent_expires_at: iso(d.consent_expires_at),
      last_sync_at: iso(d.last_sync_at),
      last_sync_status: d.last_sync_status,
      data_until: iso(d.checkpoint_at),
    })),
  };
}

export async function runReport(
  ctx: Context,
  opts: ReportOptions,
  now: Date = new Date(),
): Promise<MonthlyReport> {
  if (opts.month) parseMonth(opts.month);
  parseStatsMetric(opts.metric);
  return withDatabase(ctx, 'report', async (db) => {
    const b = await resolveBuilding(db, opts.building, ctx.config.defaults.building);
    return buildMonthlyReport(db, b, opts, now);
  });
}

function localTime(value: string | null, zone: string): string {
  if (value === null) return '-';
  return DateTime.fromISO(value, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

export function renderReport(
  r: MonthlyReport,
  opts: { color: boolean; width: number; now?: Date },
): string {
  const paint = createColors(opts.color);
  const zone = r.building.timezone;
  const s = r.summary;
  const monthName = DateTime.fromISO(`${r.month}-01`, { zone: 'UTC' }).toFormat('LLLL yyyy', {
    locale: 'en',
  });
  const out: string[] = [
    paint.bold(`${r.building.name} — ${monthName} (${zone}), ${r.metric_type}`),
    '',
  ];
  const prevLabel = previousPeriod(r.month);
  const yearLabel = sameLastYear(r.month);
  out.push(
    renderTable({
      columns: [
        { key: 'what', header: '' },
        { key: 'value', header: 'Value', unit: r.unit, decimals: 3 },
        { key: 'prev', header: `vs ${prevLabel}`, align: 'right' },
        { key: 'year', header: `vs ${yearLabel}`, align: 'right' },
      ],
      rows: [
        {
          what: 'Total',
          value: s.count > 0 ? s.total : null,
          prev: s.comparison.previous_period ?? '-',
          year: s.comparison.previous_year ?? '-',
        },
        {
          what: 'Daily average',
          value: s.daily_average,
          prev: s.daily_average_comparison.previous_period ?? '-',
          year: s.daily_average_comparison.previous_year ?? '-',
        },
      ],
      color: opts.color,
      maxWidth: opts.width,
    }),
  );
  const cov = `Coverage ${formatCoverage(s.coverage)} (${s.count} of ${s.expected_count} intervals)`;
  out.push(s.coverage < 1 ? paint.yellow(`${cov}: partial month`) : cov, '');
  out.push(
    renderChart({
      values: r.daily.map((d) => d.total),
      labels: r.daily.map((d) => d.day.slice(5)),
      unit: r.unit,
      width: opts.width,
      title: `Daily total (${r.unit})`,
      color: opts.color,
      empty: 'no readings this month',
    }),
    '',
  );
  const m = r.monthly_statistics;
  out.push(
    paint.bold('Monthly statistics'),
    renderTable({
      columns: [
        { key: 'period', header: 'Period' },
        { key: 'total', header: 'Total', unit: r.unit, decimals: 3 },
        { key: 'avg', header: 'Avg', unit: r.unit, decimals: 4 },
        { key: 'min', header: 'Min', unit: r.unit, decimals: 4 },
        { key: 'max', header: 'Max', unit: r.unit, decimals: 4 },
        { key: 'count', header: 'Count', decimals: 0 },
        { key: 'coverage', header: 'Coverage', align: 'right' },
      ],
      rows: [{ ...m, coverage: formatCoverage(m.coverage) }],
      color: opts.color,
      maxWidth: opts.width,
    }),
    '',
  );
  out.push(paint.bold(`Open anomalies (${r.anomalies.length})`));
  out.push(
    r.anomalies.length === 0
      ? 'none'
      : renderStoredTable(
          r.anomalies.map((a) => ({
            ...a,
            buildingId: r.building.id,
            deviceRef: a.device_ref,
            metricType: r.metric_type,
            severity: a.severity as StoredAnomaly['severity'],
            start: new Date(a.timestamp),
            end: new Date(a.end),
            variancePercent: a.variance_percent,
            detectedAt: new Date(0),
            acknowledgedAt: null,
            acknowledgedBy: null,
          })),
          zone,
          { color: opts.color, width: opts.width, acknowledged: false },
        ),
    '',
  );
  out.push(paint.bold('Meters'));
  const now = opts.now ?? new Date();
  out.push(
    renderTable({
      columns: [
        { key: 'prm', header: 'Meter' },
        { key: 'provider', header: 'Provider' },
        { key: 'status', header: 'Status' },
        { key: 'consent', header: 'Consent until' },
        { key: 'last', header: 'Last sync' },
        { key: 'result', header: 'Result' },
        { key: 'until', header: 'Data until' },
      ],
      rows: r.meters.map((d) => {
        const expired = d.consent_expires_at !== null && new Date(d.consent_expires_at) < now;
        return {
          prm: d.prm,
          provider: d.provider,
          status: d.status === 'active' ? d.status : paint.yellow(d.status),
          consent: expired
            ? paint.red(localTime(d.consent_expires_at, zone))
            : localTime(d.consent_expires_at, zone),
          last: localTime(d.last_sync_at, zone),
          result: d.last_sync_status ?? '-',
          until: localTime(d.data_until, zone),
        };
      }),
      color: opts.color,
      maxWidth: opts.width,
      empty: 'no meter linked (readings imported only)',
    }),
  );
  return out.join('\n');
}

export function makeReportCommand(): Command {
  return new Command('report')
    .description(
      "a building's month: total and daily average with comparisons, chart, statistics, open anomalies, meters",
    )
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--month <YYYY-MM>', 'month (default: the last complete month)')
    .option('--metric <metric>', STATS_METRICS.join(' | '), 'electricity_consumption')
    .option('--format <format>', 'table | json', 'table')
    .action(async (opts: ReportOptions & { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runReport(ctx, opts);
      writeResult({
        format,
        json: res,
        table: () => renderReport(res, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
}
