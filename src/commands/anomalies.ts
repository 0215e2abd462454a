import { Command } from 'commander';
import { UsageError } from '../domain/errors.js';
import { STATS_METRICS, parseStatsMetric } from '../domain/statsMetrics.js';
import {
  ANOMALY_METHODS,
  THRESHOLD_HELP,
  acknowledgeAnomaly,
  explainStoredAnomaly,
  findAnomalies,
  listStoredAnomalies,
  type AnomaliesResult,
  type AnomalyMethod,
} from '../services/anomalies.js';
import {
  detectedAnomalyCsvKeys,
  STORED_ANOMALY_CSV_KEYS,
  renderDetectedAnomalies,
  renderStoredAnomalies,
  storedAnomalyJson,
} from '../ui/anomaliesView.js';
import { explainedAnomalyJson, renderExplainedAnomaly } from '../ui/anomalyExplainChart.js';
import { createColors } from '../ui/color.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import {
  contextFrom,
  formatOption,
  outputFormat,
  parseIntOption,
  withServices,
  type Context,
} from './context.js';

export interface AnomaliesOptions {
  threshold?: number;
  days?: number;
  metric?: string;
  building?: string;
  device?: string;
  method?: string;
  /** False with --no-store: detect and show only. */
  store?: boolean;
  /** An anomaly id: explain why it fired instead of detecting. */
  explain?: string;
}

/** --threshold: a percentage of the baseline, so only values above 100 make sense. */
export function parseThreshold(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 100 || n > 10_000) {
    throw new UsageError(
      `--threshold is a percentage of the baseline and must be above 100 (e.g. 150 flags 50 % above normal), got "${value}"`,
    );
  }
  return n;
}

export function parseMethod(value: string | undefined): AnomalyMethod | undefined {
  if (value === undefined) return undefined;
  if (!(ANOMALY_METHODS as readonly string[]).includes(value)) {
    throw new UsageError(`--method must be one of ${ANOMALY_METHODS.join(', ')}, got "${value}"`);
  }
  return value as AnomalyMethod;
}

export async function runAnomalies(ctx: Context, opts: AnomaliesOptions): Promise<AnomaliesResult> {
  const method = parseMethod(opts.method);
  const metricType = parseStatsMetric(opts.metric);
  return withServices(ctx, 'anomalies', (deps) =>
    findAnomalies(deps, {
      building: opts.building,
      metricType,
      device: opts.device,
      method,
      thresholdPercent: opts.threshold,
      days: opts.days,
      store: opts.store !== false,
    }),
  );
}

const BUILDING_HELP = 'building (default: the only one, or defaults.building)';

function makeListCommand(): Command {
  return new Command('list')
    .description('list stored anomalies with their ids (open ones; --all adds acknowledged)')
    .option('--all', 'include acknowledged anomalies')
    .option('--building <name|id>', BUILDING_HELP)
    .option('--device <prm>', 'one meter (PRM) or imported series')
    .option('--metric <metric>', STATS_METRICS.join(' | '))
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: ListOptions, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await withServices(ctx, 'anomalies list', (deps) =>
        listStoredAnomalies(deps, {
          building: opts.building,
          all: !!opts.all,
          device: opts.device,
          metricType: opts.metric,
        }),
      );
      const rows = res.anomalies.map(storedAnomalyJson);
      writeResult({
        format,
        json: { building: res.building, anomalies: rows },
        csv: { columns: STORED_ANOMALY_CSV_KEYS.map((k) => ({ key: k, header: k })), rows },
        table: () => {
          const view = { color: ctx.color, width: ctx.columns };
          const table = renderStoredAnomalies(res.anomalies, res.building.timezone, view);
          if (res.anomalies.length === 0) return table;
          const note = 'ids shown by their first 8 characters, which `anomalies ack` takes';
          return `${table}\n${createColors(ctx.color).dim(note)}`;
        },
        stdout: ctx.out.stdout,
      });
    });
}

interface ListOptions {
  all?: boolean;
  building?: string;
  device?: string;
  metric?: string;
  format?: OutputFormat;
}

function makeAckCommand(): Command {
  return new Command('ack')
    .description('acknowledge an anomaly, so it leaves the open list (exit 9 when unknown)')
    .argument('<id>', 'anomaly id, or its first 8 characters at least')
    .option('--by <name>', 'who acknowledges (default: $USER)')
    .action(async (id: string, opts: { by?: string }, c: Command) => {
      const ctx = contextFrom(c);
      const by = opts.by ?? ctx.env.USER ?? ctx.env.USERNAME;
      const r = await withServices(ctx, 'anomalies ack', (deps) =>
        acknowledgeAnomaly(deps, id, by),
      );
      const a = r.anomaly;
      if (ctx.flags.json) {
        const json = { ...storedAnomalyJson(a), already_acknowledged: r.alreadyAcknowledged };
        writeResult({ format: 'json', json, stdout: ctx.out.stdout });
        return;
      }
      const at = a.acknowledgedAt?.toISOString() ?? '';
      const who = a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : '';
      ctx.out.stdout.write(
        r.alreadyAcknowledged
          ? `anomaly ${a.id} was already acknowledged at ${at}${who}; nothing changed\n`
          : `acknowledged anomaly ${a.id} (${a.kind}, ${a.start.toISOString()})${who}\n`,
      );
    });
}

function makeDetectCommand(): Command {
  return new Command('detect')
    .description('detect over-consumption: stored once, alerts queued (the default)')
    .option(
      '--threshold <percent>',
      'an interval counts when above this % of its baseline (default 120), AND unusual for the meter (see below)',
      parseThreshold,
    )
    .option('--days <n>', 'days analysed up to now (default 30)', parseIntOption('--days', 1, 730))
    .option('--metric <metric>', STATS_METRICS.join(' | '), 'electricity_consumption')
    .option('--building <name|id>', BUILDING_HELP)
    .option('--device <prm>', 'one meter (PRM) or imported series (default: all of the building)')
    .option('--method <method>', `${ANOMALY_METHODS.join(' | ')} (default profile)`)
    .option('--no-store', 'detect and show only: store nothing, queue no alert')
    .option(
      '--explain <id>',
      'why a stored anomaly fired: its day against the baseline, spread and limit',
    )
    .addOption(formatOption(['table', 'json', 'csv']))
    .addHelpText('after', `\nThreshold and statistical test:\n  ${wrap(THRESHOLD_HELP, 78)}`)
    .action(async (opts: AnomaliesOptions & { format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      if (opts.explain !== undefined) return explain(ctx, opts.explain, opts.threshold, format);
      const res = await runAnomalies(ctx, opts);
      writeResult({
        format,
        json: res,
        csv: {
          columns: detectedAnomalyCsvKeys(res).map((k) => ({ key: k, header: k })),
          rows: res.anomalies,
        },
        table: () => renderDetectedAnomalies(res, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
}

async function explain(
  ctx: Context,
  id: string,
  thresholdPercent: number | undefined,
  format: OutputFormat,
): Promise<void> {
  if (format === 'csv') throw new UsageError('--explain shows a table or json, not csv');
  const res = await withServices(ctx, 'anomalies --explain', (deps) =>
    explainStoredAnomaly(deps, { id, thresholdPercent }),
  );
  writeResult({
    format,
    json: explainedAnomalyJson(res),
    table: () => renderExplainedAnomaly(res, { color: ctx.color, width: ctx.columns }),
    stdout: ctx.out.stdout,
  });
}

/** Breaks a paragraph into lines of at most `width` characters, indented by two. */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width - 2) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join('\n  ');
}

/**
 * `anomalies [detect] [options]`, `anomalies list`, `anomalies ack ID`. The options live on
 * the subcommands (detect being the default), not on `anomalies` itself: a parent's option
 * would take the subcommands' options of the same name.
 */
export function makeAnomaliesCommand(): Command {
  return new Command('anomalies')
    .description(
      'detect over-consumption (`anomalies [detect] --help`), `anomalies list`, `anomalies ack ID`',
    )
    .addCommand(makeDetectCommand(), { isDefault: true })
    .addCommand(makeListCommand())
    .addCommand(makeAckCommand())
    .addHelpText(
      'after',
      `
Detecting (the default subcommand) takes:
  --threshold <percent>  flag above this % of the baseline (default 120)
  --days <n>             days analysed up to now (default 30)
  --method <method>      ${ANOMALY_METHODS.join(' | ')} (default profile)
  --device <prm>         one meter (PRM) or imported series
  --no-store             detect and show only: store nothing, queue no alert
e.g. koprogo-iot anomalies --threshold 150   (all options: koprogo-iot anomalies detect --help)`,
    );
}
