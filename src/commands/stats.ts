import { Command } from 'commander';
import {
  PERIODS,
  addDays,
  isPeriod,
  localDayOf,
  localDayStart,
  periodFirstDay,
  periodKey,
  previousPeriod,
  type Period,
} from '../analytics/periods.js';
import {
  comparisonLookbackStart,
  computeStatistics,
  type ConsumptionStats,
  type StatsDataPoint,
} from '../analytics/stats.js';
import { resolveBuilding, type Building } from '../db/buildings.js';
import { dailyAggregates } from '../db/stats.js';
import type { Queryable } from '../db/types.js';
import { UsageError } from '../domain/errors.js';
import { storedUnit, type MetricType } from '../domain/readings.js';
import { renderChart } from '../ui/chart.js';
import { createColors } from '../ui/color.js';
import { writeResult } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { contextFrom, outputFormat, withDatabase, type Context } from './context.js';
import { checkRange, parseFrom, parseTo } from './dateRange.js';

/** Metrics that add up over time: a total per period means something for them only. */
export const STATS_METRICS = [
  'electricity_consumption',
  'electricity_production',
  'gas_consumption',
  'water_consumption',
] as const satisfies readonly MetricType[];

/** How many periods the default range shows, the current one included. */
export const DEFAULT_PERIOD_COUNT: Record<Period, number> = {
  day: 30,
  week: 12,
  month: 12,
  year: 3,
};

export interface StatsOptions {
  period?: string;
  from?: string;
  to?: string;
  building?: string;
  metric?: string;
  device?: string;
}

export interface StatsResult extends ConsumptionStats {
  building: { id: string; name: string; timezone: string };
  /** The one meter asked for, or null for every series of the building. */
  device_ref: string | null;
}

/** First local day of the `count` periods ending with the one holding `lastDay`. */
export function periodsBackStart(lastDay: string, period: Period, count: number): string {
  let label = periodKey(lastDay, period);
  for (let i = 1; i < count; i++) label = previousPeriod(label);
  return periodFirstDay(label);
}

/** A local day from --from: the day the instant falls on. */
function fromDay(value: string, zone: string): string {
  return localDayOf(parseFrom(value, zone), zone);
}

/** An exclusive local day from --to: YYYY-MM-DD includes that day; an instant rounds up. */
function toDay(value: string, zone: string): string {
  const end = parseTo(value, zone);
  const day = localDayOf(end, zone);
  return localDayStart(day, zone).getTime() < end.getTime() ? addDays(day, 1) : day;
}

/** The [from, to) local days a stats query covers, with the defaults of each period. */
export function statsRange(
  period: Period,
  opts: { from?: string; to?: string },
  zone: string,
  now: Date,
): { from: string; to: string } {
  checkRange(opts.from, opts.to, zone);
  const to = opts.to ? toDay(opts.to, zone) : addDays(localDayOf(now, zone), 1);
  const from = opts.from
    ? fromDay(opts.from, zone)
    : periodsBackStart(addDays(to, -1), period, DEFAULT_PERIOD_COUNT[period]);
  if (from >= to) throw new UsageError(`--from (${from}) must be before --to (${addDays(to, -1)})`);
  return { from, to };
}

export function parsePeriod(value: string | undefined): Period {
  const p = (value ?? 'month').trim().toLowerCase();
  if (!isPeriod(p))
    throw new UsageError(`--period must be one of ${PERIODS.join(', ')}, got "${value}"`);
  return p;
}

export function parseStatsMetric(value: string | undefined): MetricType {
  const m = value ?? 'electricity_consumption';
  if (!(STATS_METRICS as readonly string[]).includes(m)) {
    throw new UsageError(`--metric must be one of ${STATS_METRICS.join(', ')}, got "${m}"`, {
      hint: 'statistics add readings up per period, which only energy and volume metrics allow',
    });
  }
  return m as MetricType;
}

/** Statistics of one building (or one of its meters) over local periods. */
export async function statsForBuilding(
  q: Queryable,
  building: Pick<Building, 'id' | 'name' | 'timezone'>,
  opts: StatsOptions,
  now: Date = new Date(),
): Promise<StatsResult> {
  const period = parsePeriod(opts.period);
  const metricType = parseStatsMetric(opts.metric);
  const zone = building.timezone;
  const { from, to } = statsRange(period, opts, zone, now);
  const days = await dailyAggregates(q, {
    buildingId: building.id,
    zone,
    metricType,
    deviceRef: opts.device,
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
  return {
    ...stats,
    building: { id: building.id, name: building.name, timezone: building.timezone },
    device_ref: opts.device ?? null,
  };
}

export async function runStats(
  ctx: Context,
  opts: StatsOptions,
  now: Date = new Date(),
): Promise<StatsResult> {
  // Checked before the database opens: a typo answers at once.
  parsePeriod(opts.period);
  parseStatsMetric(opts.metric);
  return withDatabase(ctx, 'stats', async (db) => {
    const b = await resolveBuilding(db, opts.building, ctx.config.defaults.building);
    return statsForBuilding(db, b, opts, now);
  });
}

/** A partial period is never shown as 100 %: coverage is rounded down. */
export function formatCoverage(coverage: number): string {
  return `${(Math.floor(coverage * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

export function isPartial(p: StatsDataPoint): boolean {
  return p.coverage < 1;
}

interface StatsRow {
  period: string;
  total: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
  count: number;
  coverage: string;
  previous: string;
  year: string;
}

/** One row per period and an overall line; partial periods marked with '*'. */
export function renderStatsTable(
  res: StatsResult,
  opts: { color: boolean; width: number },
): string {
  const paint = createColors(opts.color);
  const unit = res.unit;
  const rows: StatsRow[] = res.data_points.map((p) => ({
    period: isPartial(p) ? `${p.period} *` : p.period,
    total: p.count > 0 ? p.total : null,
    avg: p.avg,
    min: p.min,
    max: p.max,
    count: p.count,
    coverage: isPartial(p) ? paint.yellow(formatCoverage(p.coverage)) : formatCoverage(p.coverage),
    previous: p.comparison.previous_period ?? '-',
    year: p.comparison.previous_year ?? '-',
  }));
  const s = res.statistics;
  rows.push({
    period: 'Overall',
    total: s.total,
    avg: s.avg,
    min: s.min,
    max: s.max,
    count: s.count,
    coverage: '',
    previous: '',
    year: '',
  });
  const table = renderTable<StatsRow>({
    columns: [
      { key: 'period', header: 'Period' },
      { key: 'total', header: 'Total', unit, decimals: 3 },
      { key: 'avg', header: 'Avg', unit, decimals: 4 },
      { key: 'min', header: 'Min', unit, decimals: 4 },
      { key: 'max', header: 'Max', unit, decimals: 4 },
      { key: 'count', header: 'Count', decimals: 0 },
      { key: 'coverage', header: 'Coverage', align: 'right' },
      { key: 'previous', header: 'vs prev', align: 'right' },
      { key: 'year', header: 'vs last yr', align: 'right' },
    ],
    rows,
    color: opts.color,
    // No maxWidth: every column is a figure or a period label, and a cut one is wrong.
  });
  const where = `${res.building.name}${res.device_ref ? `, meter ${res.device_ref}` : ''}`;
  const lines = [
    paint.bold(`${res.metric_type} per ${res.period} — ${where} (${res.building.timezone})`),
    table,
  ];
  const notes = ['Avg, Min, Max: per interval; Count: intervals with a reading'];
  if (res.data_points.some(isPartial)) {
    notes.push('* partial period: coverage below 100 % (readings missing, or period not over)');
  }
  lines.push(...notes.map((n) => paint.dim(n)));
  return lines.join('\n');
}

export function renderStatsChart(
  res: StatsResult,
  opts: { color: boolean; width: number },
): string {
  return renderChart({
    values: res.data_points.map((p) => p.total),
    labels: res.data_points.map((p) => p.period),
    unit: res.unit,
    width: opts.width,
    title: `Total per ${res.period} (${res.unit})`,
    color: opts.color,
    empty: 'no readings in this range',
  });
}

interface StatsCsvRow {
  period: string;
  start: string;
  end: string;
  total: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  count: number;
  expected_count: number;
  coverage: number;
  previous_period: string | null;
  previous_year: string | null;
}

export function statsCsvRows(res: StatsResult): StatsCsvRow[] {
  return res.data_points.map((p) => ({
    period: p.period,
    start: p.start,
    end: p.end,
    total: p.total,
    avg: p.avg,
    min: p.min,
    max: p.max,
    count: p.count,
    expected_count: p.expected_count,
    coverage: p.coverage,
    previous_period: p.comparison.previous_period,
    previous_year: p.comparison.previous_year,
  }));
}

const CSV_KEYS: (keyof StatsCsvRow)[] = [
  'period',
  'start',
  'end',
  'total',
  'avg',
  'min',
  'max',
  'count',
  'expected_count',
  'coverage',
  'previous_period',
  'previous_year',
];

export function makeStatsCommand(): Command {
  return new Command('stats')
    .description(
      'consumption statistics per local day, week, month or year, with coverage and comparisons',
    )
    .option('--period <period>', PERIODS.join(' | '), 'month')
    .option(
      '--from <date>',
      'first day, YYYY-MM-DD (default: 30 days, 12 weeks, 12 months or 3 years back)',
    )
    .option('--to <date>', 'last day, YYYY-MM-DD, included (default: today)')
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--metric <metric>', STATS_METRICS.join(' | '), 'electricity_consumption')
    .option('--device <prm>', 'one meter (PRM) or imported series (default: all of the building)')
    .option('--chart', 'add a chart of the totals per period')
    .option('--format <format>', 'table | json | csv', 'table')
    .action(async (opts: StatsOptions & { chart?: boolean; format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runStats(ctx, opts);
      const view = { color: ctx.color, width: ctx.columns };
      writeResult({
        format,
        json: res,
        csv: { columns: CSV_KEYS.map((k) => ({ key: k, header: k })), rows: statsCsvRows(res) },
        table: () =>
          opts.chart
            ? `${renderStatsTable(res, view)}\n\n${renderStatsChart(res, view)}`
            : renderStatsTable(res, view),
        stdout: ctx.out.stdout,
      });
    });
}
