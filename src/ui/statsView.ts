/** Statistics per period: the table (partial periods marked), the chart of totals, CSV rows. */
import type { StatsDataPoint } from '../analytics/stats.js';
import type { StatsResult } from '../services/stats.js';
import { renderChart } from './chart.js';
import { createColors } from './color.js';
import { NO_TARIFF_HINT, statsCostCsv } from './statsCostView.js';
import { renderTable } from './table.js';

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
  const overall = res.statistics;
  rows.push({ period: 'Overall', ...overall, coverage: '', previous: '', year: '' });
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
  const notes = ['Avg, Min, Max: per interval; Count: intervals with a reading'];
  if (res.data_points.some(isPartial)) {
    notes.push('* partial period: coverage below 100 % (readings missing, or period not over)');
  }
  if (!res.costs && res.metric_type === 'electricity_consumption') notes.push(NO_TARIFF_HINT);
  return [
    paint.bold(`${res.metric_type} per ${res.period} — ${where} (${res.building.timezone})`),
    table,
    ...notes.map((n) => paint.dim(n)),
  ].join('\n');
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

export interface StatsCsvRow {
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

/** The CSV columns of a result: the statistics', then its costs' and carbon's if any. */
export function statsCsvKeys(res: StatsResult): string[] {
  return [...STATS_CSV_KEYS, ...statsCostCsv(res).keys];
}

export function statsCsvRows(res: StatsResult): (StatsCsvRow & Record<string, unknown>)[] {
  const money = statsCostCsv(res);
  return res.data_points.map((p) => ({
    ...Object.fromEntries(money.keys.map((k) => [k, money.rows.get(p.period)?.[k] ?? null])),
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

export const STATS_CSV_KEYS: (keyof StatsCsvRow)[] = [
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
