/** Statistics per period: the table (partial periods marked), the chart of totals, CSV rows. */
import type { StatsDataPoint } from '../analytics/stats.js';
import type { StatsResult } from '../services/stats.js';
import { renderChart } from './chart.js';
import { createColors } from './color.js';
import { NO_TARIFF_HINT, statsCostCsv } from './statsCostView.js';
import { wrapWords } from './format.js';
import { renderTable } from './table.js';

/** A partial period is never shown as 100 %: coverage is rounded down. */
export function formatCoverage(coverage: number): string {
  return `${(Math.floor(coverage * 1000 + 1e-9) / 10).toFixed(1)}%`;
}

export function isPartial(p: StatsDataPoint): boolean {
  return p.coverage < 1;
}

/**
 * The periods worth drawing: the trailing ones without any reading (the period in progress,
 * not published yet) are left out, so a table or chart never ends in a false drop to 0.
 */
export function shownPoints(points: readonly StatsDataPoint[]): {
  shown: StatsDataPoint[];
  left: StatsDataPoint[];
} {
  let end = points.length;
  while (end > 0 && points[end - 1]!.count === 0) end--;
  return { shown: points.slice(0, end), left: points.slice(end) };
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
  const { shown, left } = shownPoints(res.data_points);
  const rows: StatsRow[] = shown.map((p) => ({
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
      { key: 'period', header: 'Period', keep: true },
      { key: 'total', header: 'Total', unit, decimals: 3 },
      { key: 'avg', header: 'Avg', unit, decimals: 4 },
      { key: 'min', header: 'Min', unit, decimals: 4, drop: 3 },
      { key: 'max', header: 'Max', unit, decimals: 4, drop: 2 },
      { key: 'count', header: 'Count', decimals: 0, drop: 4 },
      { key: 'coverage', header: 'Coverage', align: 'right', drop: 1 },
      { key: 'previous', header: 'vs prev', align: 'right' },
      { key: 'year', header: 'vs last yr', align: 'right' },
    ],
    rows,
    color: opts.color,
    // Figures and period labels are never cut: lower-value columns are left out first.
    maxWidth: opts.width,
  });
  const where = `${res.building.name}${res.device_ref ? `, meter ${res.device_ref}` : ''}`;
  const notes = ['Avg, Min, Max: per interval; Count: intervals with a reading'];
  if (shown.some(isPartial)) {
    notes.push('* partial period: coverage below 100 % (readings missing, or period not over)');
  }
  if (!res.costs && res.metric_type === 'electricity_consumption') notes.push(NO_TARIFF_HINT);
  if (left.length > 0)
    notes.push(`${left.map((p) => p.period).join(', ')}: no reading yet, not shown`);
  const title = `${res.metric_type} per ${res.period} — ${where} (${res.building.timezone})`;
  return [
    paint.bold(wrapWords(title, opts.width)),
    table,
    ...notes.map((n) => paint.dim(wrapWords(n, opts.width))),
  ].join('\n');
}

export function renderStatsChart(
  res: StatsResult,
  opts: { color: boolean; width: number },
): string {
  // A partial period's label is starred, as in the table; the still-empty tail is left out.
  const { shown } = shownPoints(res.data_points);
  return renderChart({
    values: shown.map((p) => p.total),
    labels: shown.map((p) => (isPartial(p) ? `${p.period}*` : p.period)),
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
  /** Percent change, a number: 7.4 for "+7.4%". */
  previous_period_pct: number | null;
  previous_year_pct: number | null;
}

/** "+7.4%" → 7.4; CSV cells are numbers a spreadsheet can sum. */
function percentNumber(text: string | null): number | null {
  if (text === null) return null;
  const n = Number(text.replace('%', '').replace('+', ''));
  return Number.isFinite(n) ? n : null;
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
    previous_period_pct: percentNumber(p.comparison.previous_period),
    previous_year_pct: percentNumber(p.comparison.previous_year),
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
  'previous_period_pct',
  'previous_year_pct',
];
