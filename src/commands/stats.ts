import { Command } from 'commander';
import { STATS_METRICS, parseStatsMetric } from '../domain/statsMetrics.js';
import { PERIODS, parsePeriod } from '../services/periodRange.js';
import { computeStats, type StatsResult } from '../services/stats.js';
import { compareBuildings, type CompareResult } from '../services/statsCompare.js';
import { peakStats, type PeakStats } from '../services/statsPeaks.js';
import {
  COMPARE_CSV_KEYS,
  PEAK_CSV_KEYS,
  compareCsvRows,
  renderCompare,
  renderPeaks,
} from '../ui/statsCompareView.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { renderStatsChart, renderStatsTable, statsCsvKeys, statsCsvRows } from '../ui/statsView.js';
import { renderStatsCosts } from '../ui/statsCostView.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';
import { checkRange, parseFrom, parseTo } from './dateRange.js';
import { UsageError } from '../domain/errors.js';

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
      dates: (zone) => {
        checkRange(opts.from, opts.to, zone);
        return {
          from: opts.from ? parseFrom(opts.from, zone) : undefined,
          to: opts.to ? parseTo(opts.to, zone) : undefined,
        };
      },
    }),
  );
}

/** `stats --compare`: every building's last twelve months, ranked (--to: the last day). */
export async function runStatsCompare(ctx: Context, opts: StatsOptions): Promise<CompareResult> {
  const zone = ctx.config.defaults.timeZone;
  const end = opts.to ? parseTo(opts.to, zone) : undefined;
  return withServices(ctx, 'stats --compare', (deps) => compareBuildings(deps, end));
}

/** `stats --peak`: each month's highest quarter-hour demand and its capacity charge. */
export async function runStatsPeak(ctx: Context, opts: StatsOptions): Promise<PeakStats> {
  return withServices(ctx, 'stats --peak', (deps) =>
    peakStats(deps, {
      building: opts.building,
      device: opts.device,
      dates: (zone) => {
        checkRange(opts.from, opts.to, zone);
        return {
          from: opts.from ? parseFrom(opts.from, zone) : undefined,
          to: opts.to ? parseTo(opts.to, zone) : undefined,
        };
      },
    }),
  );
}

type StatsFlags = StatsOptions & {
  chart?: boolean;
  compare?: boolean;
  peak?: boolean;
  format?: OutputFormat;
};

/** --compare and --peak answer other questions than the statistics: their own output. */
async function writeOtherViews(ctx: Context, opts: StatsFlags, format: OutputFormat) {
  if (opts.compare && opts.peak) throw new UsageError('--compare and --peak cannot be combined');
  const view = { color: ctx.color, width: ctx.columns };
  if (opts.compare) {
    if (opts.building) throw new UsageError('--compare compares every building: drop --building');
    const res = await runStatsCompare(ctx, opts);
    writeResult({
      format,
      json: res,
      csv: {
        columns: COMPARE_CSV_KEYS.map((k) => ({ key: k, header: k })),
        rows: compareCsvRows(res),
      },
      table: () => renderCompare(res, view),
      stdout: ctx.out.stdout,
    });
    return true;
  }
  if (!opts.peak) return false;
  const res = await runStatsPeak(ctx, opts);
  writeResult({
    format,
    json: res,
    csv: { columns: PEAK_CSV_KEYS.map((k) => ({ key: k, header: k })), rows: res.months },
    table: () => renderPeaks(res, view),
    stdout: ctx.out.stdout,
  });
  return true;
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
    .option(
      '--compare',
      'rank every building by kWh/m²/year and € per unit over the last 12 months (--to: last day)',
    )
    .option(
      '--peak',
      'per month: the highest quarter-hour demand, when, and its capacity charge (default 12 months)',
    )
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: StatsFlags, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      if (await writeOtherViews(ctx, opts, format)) return;
      const res = await runStats(ctx, opts);
      const view = { color: ctx.color, width: ctx.columns };
      writeResult({
        format,
        json: res,
        csv: {
          columns: statsCsvKeys(res).map((k) => ({ key: k, header: k })),
          rows: statsCsvRows(res),
        },
        // The costs and carbon after the statistics (and their chart).
        table: () =>
          [
            renderStatsTable(res, view),
            ...(opts.chart ? [renderStatsChart(res, view)] : []),
            renderStatsCosts(res, view),
          ]
            .filter((part) => part !== '')
            .join('\n\n'),
        stdout: ctx.out.stdout,
      });
    });
}
