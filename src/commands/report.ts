import { Command } from 'commander';
import { STATS_METRICS, parseStatsMetric } from '../domain/statsMetrics.js';
import { parseMonth } from '../services/periodRange.js';
import { buildReport, type MonthlyReport } from '../services/report.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { renderReport, reportJson } from '../ui/reportView.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';

export interface ReportOptions {
  building?: string;
  /** `YYYY-MM`; default the last complete month in the building's zone. */
  month?: string;
  metric?: string;
}

export async function runReport(ctx: Context, opts: ReportOptions): Promise<MonthlyReport> {
  const month = opts.month ? parseMonth(opts.month) : undefined;
  const metricType = parseStatsMetric(opts.metric);
  return withServices(ctx, 'report', (deps) =>
    buildReport(deps, { building: opts.building, month, metricType }),
  );
}

export function makeReportCommand(): Command {
  return new Command('report')
    .description(
      "a building's month: total and daily average with comparisons, chart, statistics, open anomalies, meters",
    )
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--month <YYYY-MM>', 'month (default: the last complete month)')
    .option('--metric <metric>', STATS_METRICS.join(' | '), 'electricity_consumption')
    .addOption(formatOption(['table', 'json']))
    .action(async (opts: ReportOptions & { format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runReport(ctx, opts);
      writeResult({
        format,
        json: reportJson(res),
        table: () => renderReport(res, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
}
