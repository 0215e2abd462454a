import { Command } from 'commander';
import { STATS_METRICS, parseStatsMetric } from '../domain/statsMetrics.js';
import { PERIODS, parsePeriod } from '../services/periodRange.js';
import { computeStats, type StatsResult } from '../services/stats.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { renderStatsChart, renderStatsTable, statsCsvKeys, statsCsvRows } from '../ui/statsView.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';
import { parseFrom, parseTo } from './dateRange.js';

export interface StatsOptions {
  period?: string;
  from?: string;
  to?: string;
  building?: string;
  metric?: string;
  device?: string;
}

export async function runStats(ctx: Context, opts: StatsOptions): Promise<StatsResult> {
  // Checked before the database opens: a typo answers at once.
  const period = parsePeriod(opts.period);
  const metricType = parseStatsMetric(opts.metric);
  return withServices(ctx, 'stats', (deps) =>
    computeStats(deps, {
      building: opts.building,
      period,
      metricType,
      device: opts.device,
      dates: (zone) => ({
        from: opts.from ? parseFrom(opts.from, zone) : undefined,
        to: opts.to ? parseTo(opts.to, zone) : undefined,
      }),
    }),
  );
}

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
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: StatsOptions & { chart?: boolean; format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runStats(ctx, opts);
      const view = { color: ctx.color, width: ctx.columns };
      writeResult({
        format,
        json: res,
        csv: {
          columns: statsCsvKeys(res).map((k) => ({ key: k, header: k })),
          rows: statsCsvRows(res),
        },
        table: () =>
          opts.chart
            ? `${renderStatsTable(res, view)}\n\n${renderStatsChart(res, view)}`
            : renderStatsTable(res, view),
        stdout: ctx.out.stdout,
      });
    });
}
