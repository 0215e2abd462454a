/**
 * The monthly report on a terminal: summary with comparisons, chart of the days, the
 * month's statistics, open anomalies and the meters; and its JSON document.
 */
import { DateTime } from 'luxon';
import type { MonthlyReport } from '../services/report.js';
import { anomalyJson, renderStoredAnomalies } from './anomaliesView.js';
import { renderChart } from './chart.js';
import { createColors, type Colors } from './color.js';
import { renderReportCosts } from './reportCostView.js';
import { formatCoverage } from './statsView.js';
import { wrapWords } from './format.js';
import { renderTable } from './table.js';

interface View {
  color: boolean;
  width: number;
}

/** The report as `--format json` prints it: anomalies in the seed's field names. */
export function reportJson(r: MonthlyReport) {
  return { ...r, anomalies: r.anomalies.map(anomalyJson) };
}

function localTime(value: string | null, zone: string): string {
  if (value === null) return '-';
  return DateTime.fromISO(value, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** `2025-09` → `2025-08`; `2025-10` → `2024-10`, from the summary's own figures. */
function comparedMonths(r: MonthlyReport): { previous: string; lastYear: string } {
  const month = DateTime.fromISO(`${r.month}-01`, { zone: 'UTC' });
  return {
    previous: month.minus({ months: 1 }).toFormat('yyyy-MM'),
    lastYear: month.minus({ years: 1 }).toFormat('yyyy-MM'),
  };
}

function summaryTable(r: MonthlyReport, view: View): string {
  const summary = r.summary;
  const { previous, lastYear } = comparedMonths(r);
  return renderTable({
    columns: [
      { key: 'what', header: '' },
      { key: 'value', header: 'Value', unit: r.unit, decimals: 3 },
      { key: 'prev', header: `vs ${previous}`, align: 'right' },
      { key: 'year', header: `vs ${lastYear}`, align: 'right' },
    ],
    rows: [
      {
        what: 'Total',
        value: summary.count > 0 ? summary.total : null,
        prev: summary.comparison.previous_period ?? '-',
        year: summary.comparison.previous_year ?? '-',
      },
      {
        what: 'Daily average',
        value: summary.daily_average,
        prev: summary.daily_average_comparison.previous_period ?? '-',
        year: summary.daily_average_comparison.previous_year ?? '-',
      },
    ],
    color: view.color,
    maxWidth: view.width,
  });
}

function monthStatisticsTable(r: MonthlyReport, view: View): string {
  const m = r.monthly_statistics;
  return renderTable({
    columns: [
      { key: 'period', header: 'Period', keep: true },
      { key: 'total', header: 'Total', unit: r.unit, decimals: 3 },
      { key: 'avg', header: 'Avg', unit: r.unit, decimals: 4 },
      { key: 'min', header: 'Min', unit: r.unit, decimals: 4, drop: 3 },
      { key: 'max', header: 'Max', unit: r.unit, decimals: 4, drop: 2 },
      { key: 'count', header: 'Count', decimals: 0, drop: 4 },
      { key: 'coverage', header: 'Coverage', align: 'right' },
    ],
    rows: [{ ...m, coverage: formatCoverage(m.coverage) }],
    color: view.color,
    maxWidth: view.width,
  });
}

function metersTable(r: MonthlyReport, view: View, paint: Colors): string {
  const zone = r.building.timezone;
  const now = Date.parse(r.generated_at);
  return renderTable({
    columns: [
      { key: 'prm', header: 'Meter', keep: true },
      { key: 'provider', header: 'Provider', drop: 3 },
      { key: 'status', header: 'Status' },
      { key: 'consent', header: 'Consent until', keep: true, drop: 2 },
      { key: 'last', header: 'Last sync', keep: true },
      { key: 'result', header: 'Result' },
      { key: 'until', header: 'Data until', keep: true, drop: 1 },
    ],
    rows: r.meters.map((d) => {
      const consent = localTime(d.consent_expires_at, zone);
      const expired = d.consent_expires_at !== null && Date.parse(d.consent_expires_at) < now;
      return {
        prm: d.prm,
        provider: d.provider,
        status: d.status === 'active' ? d.status : paint.yellow(d.status),
        consent: expired ? paint.red(consent) : consent,
        last: localTime(d.last_sync_at, zone),
        result: d.last_sync_status ?? '-',
        until: localTime(d.data_until, zone),
      };
    }),
    color: view.color,
    maxWidth: view.width,
    empty: 'no meter linked (readings imported only)',
  });
}

export function renderReport(r: MonthlyReport, view: View): string {
  const paint = createColors(view.color);
  const zone = r.building.timezone;
  const summary = r.summary;
  const monthName = DateTime.fromISO(`${r.month}-01`, { zone: 'UTC' }).toFormat('LLLL yyyy', {
    locale: 'en',
  });
  const coverage = `Coverage ${formatCoverage(summary.coverage)} (${summary.count} of ${summary.expected_count} intervals)`;
  const chart = renderChart({
    values: r.daily.map((d) => d.total),
    labels: r.daily.map((d) => d.day.slice(5)),
    unit: r.unit,
    width: view.width,
    title: `Daily total (${r.unit})`,
    color: view.color,
    empty: 'no readings this month',
  });
  const anomalies =
    r.anomalies.length === 0
      ? 'none'
      : renderStoredAnomalies(r.anomalies, zone, { ...view, acknowledged: false });
  return [
    paint.bold(
      wrapWords(`${r.building.name} — ${monthName} (${zone}), ${r.metric_type}`, view.width),
    ),
    '',
    summaryTable(r, view),
    summary.coverage < 1 ? paint.yellow(`${coverage}: partial month`) : coverage,
    '',
    chart,
    '',
    paint.bold('Monthly statistics'),
    monthStatisticsTable(r, view),
    '',
    ...costSection(r, view),
    paint.bold(`Open anomalies (${r.anomalies.length})`),
    anomalies,
    '',
    paint.bold('Meters'),
    metersTable(r, view, paint),
  ].join('\n');
}

/** The bill, peak and carbon lines, followed by a blank line; nothing when there is none. */
function costSection(r: MonthlyReport, view: View): string[] {
  const text = renderReportCosts(r, view);
  return text ? [text, ''] : [];
}
