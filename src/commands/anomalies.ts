import { Command } from 'commander';
import { DateTime } from 'luxon';
import {
  ANOMALY_METHODS,
  buildAnomalyReport,
  detectAnomalies,
  type Anomaly,
  type AnomalyJson,
  type AnomalyMethod,
  type AnomalyReport,
  type IntervalValue,
} from '../analytics/anomalies.js';
import type { Config } from '../config.js';
import {
  anomalyJson,
  acknowledgeAnomaly,
  listAnomalies,
  type AcknowledgeResult,
  type StoredAnomaly,
} from '../db/anomalies.js';
import { resolveBuilding, type Building } from '../db/buildings.js';
import { seriesValues } from '../db/readings.js';
import { seriesOfBuilding } from '../db/stats.js';
import type { Database } from '../db/types.js';
import { UsageError } from '../domain/errors.js';
import type { MetricType } from '../domain/readings.js';
import { checkAnomalies, historyStart } from '../notify/checkAnomalies.js';
import { createColors, visibleLength, type Colors } from '../ui/color.js';
import { formatNumber } from '../ui/format.js';
import { writeResult } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import {
  contextFrom,
  outputFormat,
  parseIntOption,
  withDatabase,
  type Context,
} from './context.js';
import { STATS_METRICS, parseStatsMetric } from './stats.js';

const DAY_MS = 86_400_000;

export interface AnomaliesOptions {
  threshold?: number;
  days?: number;
  metric?: string;
  building?: string;
  device?: string;
  method?: string;
  /** False with --no-store: detect and show only. */
  store?: boolean;
}

/** One anomaly of the report: the seed's fields, plus where it is stored and its meter. */
export type AnomalyReportRow = AnomalyJson & {
  id: string | null;
  device_ref: string;
  acknowledged: boolean;
};

export interface AnomaliesResult extends Omit<AnomalyReport, 'anomalies'> {
  anomalies: AnomalyReportRow[];
  building: { id: string; name: string; timezone: string };
  metric_type: string;
  /** Newly stored by this run, and alerts queued for them (0 with --no-store). */
  stored: number;
  alerts_queued: number;
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

export function parseMethod(value: string | undefined, fallback: AnomalyMethod): AnomalyMethod {
  if (value === undefined) return fallback;
  if (!(ANOMALY_METHODS as readonly string[]).includes(value)) {
    throw new UsageError(`--method must be one of ${ANOMALY_METHODS.join(', ')}, got "${value}"`);
  }
  return value as AnomalyMethod;
}

const storedKey = (deviceRef: string, kind: string, start: Date) =>
  `${deviceRef}\u0000${kind}\u0000${start.toISOString()}`;

/**
 * Detects the anomalies of a building's series over the last `days` days up to `now`,
 * stores the new ones and queues their alerts (through checkAnomalies, so a re-run stores
 * nothing twice), and returns the seed's report over every series.
 */
export async function findAnomalies(
  db: Database,
  config: Config,
  building: Pick<Building, 'id' | 'name' | 'timezone'>,
  opts: AnomaliesOptions,
  now: Date = new Date(),
): Promise<AnomaliesResult> {
  const method = parseMethod(opts.method, config.anomalies.method);
  const thresholdPercent = opts.threshold ?? config.anomalies.thresholdPercent;
  const days = opts.days ?? config.anomalies.days;
  const metricType: MetricType = parseStatsMetric(opts.metric);
  const store = opts.store !== false;
  // The same window checkAnomalies analyses, so what is shown is what is stored.
  const to = now;
  const from = new Date(to.getTime() - days * DAY_MS);
  const series = await seriesOfBuilding(db, {
    buildingId: building.id,
    metricType,
    from,
    to,
    deviceRef: opts.device,
  });

  const found: { anomaly: Anomaly; deviceRef: string }[] = [];
  const inWindow: IntervalValue[] = [];
  let stored = 0;
  let queued = 0;
  for (const deviceRef of series) {
    const readings = await seriesValues(db, {
      buildingId: building.id,
      deviceRef,
      metricType,
      from: historyStart(from, method),
      to,
    });
    for (const r of readings) if (r.timestamp >= from) inWindow.push(r);
    const list = detectAnomalies(readings, {
      from,
      to,
      zone: building.timezone,
      method,
      thresholdPercent,
      language: config.alerts.language,
    });
    for (const anomaly of list) found.push({ anomaly, deviceRef });
    if (store && list.length > 0) {
      const r = await checkAnomalies(db, config, {
        buildingId: building.id,
        timeZone: building.timezone,
        deviceRef,
        metricType,
        method,
        thresholdPercent,
        days,
        now,
      });
      stored += r.stored;
      queued += r.queued;
    }
  }
  found.sort(
    (a, b) =>
      a.anomaly.start.getTime() - b.anomaly.start.getTime() ||
      a.deviceRef.localeCompare(b.deviceRef) ||
      a.anomaly.kind.localeCompare(b.anomaly.kind),
  );

  // Ids and acknowledgements of those stored now or by an earlier run.
  const known = new Map<string, StoredAnomaly>();
  for (const s of await listAnomalies(db, {
    buildingId: building.id,
    from,
    to,
    includeAcknowledged: true,
    method,
    metricType,
    deviceRef: opts.device,
  })) {
    known.set(storedKey(s.deviceRef, s.kind, s.start), s);
  }

  const report = buildAnomalyReport(
    found.map((f) => f.anomaly),
    inWindow,
    { from, to, method, thresholdPercent },
  );
  const rows: AnomalyReportRow[] = report.anomalies.map((json, i) => {
    const f = found[i] as (typeof found)[number];
    const s = known.get(storedKey(f.deviceRef, f.anomaly.kind, f.anomaly.start));
    return {
      id: s?.id ?? null,
      device_ref: f.deviceRef,
      ...json,
      acknowledged: !!s?.acknowledgedAt,
    };
  });
  return {
    ...report,
    anomalies: rows,
    building: { id: building.id, name: building.name, timezone: building.timezone },
    metric_type: metricType,
    stored,
    alerts_queued: queued,
  };
}

export async function runAnomalies(
  ctx: Context,
  opts: AnomaliesOptions,
  now: Date = new Date(),
): Promise<AnomaliesResult> {
  parseMethod(opts.method, ctx.config.anomalies.method);
  parseStatsMetric(opts.metric);
  return withDatabase(ctx, 'anomalies', async (db) => {
    const b = await resolveBuilding(db, opts.building, ctx.config.defaults.building);
    return findAnomalies(db, ctx.config, b, opts, now);
  });
}

export interface ListOptions {
  all?: boolean;
  building?: string;
  device?: string;
  metric?: string;
}

export async function runListAnomalies(
  ctx: Context,
  opts: ListOptions,
): Promise<{
  building: { id: string; name: string; timezone: string };
  anomalies: StoredAnomaly[];
}> {
  return withDatabase(ctx, 'anomalies list', async (db) => {
    const b = await resolveBuilding(db, opts.building, ctx.config.defaults.building);
    const anomalies = await listAnomalies(db, {
      buildingId: b.id,
      includeAcknowledged: !!opts.all,
      deviceRef: opts.device,
      metricType: opts.metric,
    });
    return { building: { id: b.id, name: b.name, timezone: b.timezone }, anomalies };
  });
}

export async function runAcknowledge(
  ctx: Context,
  id: string,
  by: string | undefined,
): Promise<AcknowledgeResult> {
  return withDatabase(ctx, 'anomalies ack', (db) => acknowledgeAnomaly(db, id, by));
}

/**
 * `2025-10-14 19:00–21:00` in the building's zone; a span over days shows both ends
 * (`2025-10-25 01:00 → 10-30 05:00`).
 */
export function formatSpan(start: Date, end: Date, zone: string): string {
  const s = DateTime.fromJSDate(start, { zone });
  const e = DateTime.fromJSDate(end, { zone });
  if (end.getTime() - start.getTime() <= DAY_MS && e.toISODate() === s.toISODate()) {
    return `${s.toFormat('yyyy-MM-dd HH:mm')}–${e.toFormat('HH:mm')}`;
  }
  if (e.equals(s.plus({ days: 1 }).startOf('day'))) {
    return `${s.toFormat('yyyy-MM-dd HH:mm')}–24:00`;
  }
  const endFormat = e.year === s.year ? 'MM-dd HH:mm' : 'yyyy-MM-dd HH:mm';
  return `${s.toFormat('yyyy-MM-dd HH:mm')} → ${e.toFormat(endFormat)}`;
}

export function paintSeverity(severity: string, paint: Colors): string {
  if (severity === 'critical') return paint.red(severity);
  if (severity === 'major') return paint.yellow(severity);
  return paint.cyan(severity);
}

/** Tables show ids by their first 8 characters, which `anomalies ack` accepts. */
const shortId = (id: string | null) => (id ? id.slice(0, 8) : '-');
const excess = (pct: number) => `+${formatNumber(pct, 0)}%`;
/** Below this many columns left for it, messages go under the table instead. */
const MIN_MESSAGE_WIDTH = 30;

export function renderAnomaliesTable(
  res: AnomaliesResult,
  opts: { color: boolean; width: number },
): string {
  const paint = createColors(opts.color);
  const zone = res.building.timezone;
  const head = paint.bold(
    `${res.total_anomalies} anomal${res.total_anomalies === 1 ? 'y' : 'ies'} — ${res.building.name}, ` +
      `${formatSpan(new Date(res.analysis_period.start), new Date(res.analysis_period.end), zone)} ` +
      `(${res.method}, threshold ${res.threshold_percent}%)`,
  );
  if (res.anomalies.length === 0) return `${head}\nno anomaly in this period`;
  const several = new Set(res.anomalies.map((a) => a.device_ref)).size > 1;
  const rows = res.anomalies.map((a) => ({
    id: shortId(a.id),
    when: formatSpan(new Date(a.timestamp), new Date(a.end), zone),
    meter: a.device_ref,
    kind: a.kind.replace('_', ' '),
    value: a.value,
    baseline: a.baseline ?? a.avg_7d ?? null,
    above: excess(a.variance_percent),
    severity: paintSeverity(a.severity, paint),
    message: a.message,
  }));
  type Row = (typeof rows)[number];
  const columns = [
    { key: 'id' as const, header: 'Id' },
    { key: 'when' as const, header: 'When' },
    ...(several ? [{ key: 'meter' as const, header: 'Meter' }] : []),
    { key: 'kind' as const, header: 'Kind' },
    { key: 'value' as const, header: 'Value', unit: 'kWh', decimals: 3 },
    { key: 'baseline' as const, header: 'Baseline', unit: 'kWh', decimals: 3 },
    { key: 'above' as const, header: 'Above', align: 'right' as const },
    { key: 'severity' as const, header: 'Severity' },
  ];
  const without = renderTable<Row>({ columns, rows, color: opts.color });
  const used = Math.max(...without.split('\n').map(visibleLength));
  const inline = opts.width - used - 2 >= MIN_MESSAGE_WIDTH;
  const table = inline
    ? renderTable<Row>({
        columns: [...columns, { key: 'message' as const, header: 'Message' }],
        rows,
        color: opts.color,
        maxWidth: opts.width,
      })
    : without;
  const lines = [head, table];
  if (!inline) for (const r of rows) lines.push(`${r.id}  ${r.message}`);
  if (res.stored > 0)
    lines.push(paint.dim(`${res.stored} new, ${res.alerts_queued} alerts queued`));
  return lines.join('\n');
}

export function renderStoredTable(
  list: StoredAnomaly[],
  zone: string,
  opts: { color: boolean; width: number; acknowledged?: boolean },
): string {
  const paint = createColors(opts.color);
  // Open anomalies only (the report): the acknowledged column would say "no" everywhere.
  const withAck = opts.acknowledged !== false;
  return renderTable({
    columns: [
      { key: 'id', header: 'Id' },
      { key: 'when', header: 'When' },
      { key: 'meter', header: 'Meter' },
      { key: 'kind', header: 'Kind' },
      { key: 'method', header: 'Method' },
      { key: 'above', header: 'Above', align: 'right' },
      { key: 'severity', header: 'Severity' },
      ...(withAck ? [{ key: 'ack' as const, header: 'Acknowledged' }] : []),
    ],
    rows: list.map((a) => ({
      id: shortId(a.id),
      when: formatSpan(a.start, a.end, zone),
      meter: a.deviceRef,
      kind: a.kind.replace('_', ' '),
      method: a.method,
      above: excess(a.variancePercent),
      severity: paintSeverity(a.severity, paint),
      ack: a.acknowledgedAt
        ? `${DateTime.fromJSDate(a.acknowledgedAt, { zone }).toFormat('yyyy-MM-dd HH:mm')}${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}`
        : 'no',
    })),
    color: opts.color,
    maxWidth: opts.width,
    empty: 'no stored anomaly',
  });
}

type StoredJson = ReturnType<typeof storedJson>;

function storedJson(a: StoredAnomaly) {
  return {
    ...anomalyJson(a),
    metric_type: a.metricType,
    detected_at: a.detectedAt.toISOString(),
    acknowledged_at: a.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: a.acknowledgedBy,
  };
}

const STORED_CSV_KEYS: (keyof StoredJson)[] = [
  'id',
  'device_ref',
  'metric_type',
  'kind',
  'method',
  'timestamp',
  'end',
  'value',
  'baseline',
  'variance_percent',
  'severity',
  'message',
  'detected_at',
  'acknowledged_at',
  'acknowledged_by',
];

const CSV_KEYS: (keyof AnomalyReportRow)[] = [
  'id',
  'device_ref',
  'kind',
  'timestamp',
  'end',
  'value',
  'baseline',
  'avg_7d',
  'variance_percent',
  'severity',
  'message',
  'acknowledged',
];

function makeListCommand(): Command {
  return new Command('list')
    .description('list stored anomalies with their ids (open ones; --all adds acknowledged)')
    .option('--all', 'include acknowledged anomalies')
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--device <prm>', 'one meter (PRM) or imported series')
    .option('--metric <metric>', STATS_METRICS.join(' | '))
    .option('--format <format>', 'table | json | csv', 'table')
    .action(async (opts: ListOptions & { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runListAnomalies(ctx, opts);
      const rows = res.anomalies.map(storedJson);
      writeResult({
        format,
        json: { building: res.building, anomalies: rows },
        csv: {
          columns: STORED_CSV_KEYS.map((k) => ({ key: k, header: k })),
          rows,
        },
        table: () => {
          const view = { color: ctx.color, width: ctx.columns };
          const table = renderStoredTable(res.anomalies, res.building.timezone, view);
          if (res.anomalies.length === 0) return table;
          const note = 'ids shown by their first 8 characters, which `anomalies ack` takes';
          return `${table}\n${createColors(ctx.color).dim(note)}`;
        },
        stdout: ctx.out.stdout,
      });
    });
}

function makeAckCommand(): Command {
  return new Command('ack')
    .description('acknowledge an anomaly, so it leaves the open list (exit 9 when unknown)')
    .argument('<id>', 'anomaly id, or its first 8 characters at least')
    .option('--by <name>', 'who acknowledges (default: $USER)')
    .action(async (id: string, opts: { by?: string }, c: Command) => {
      const ctx = contextFrom(c);
      const by = opts.by ?? ctx.env.USER ?? ctx.env.USERNAME;
      const r = await runAcknowledge(ctx, id, by);
      const a = r.anomaly;
      if (ctx.flags.json) {
        writeResult({
          format: 'json',
          json: { ...storedJson(a), already_acknowledged: r.alreadyAcknowledged },
          stdout: ctx.out.stdout,
        });
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
      'flag above this % of the baseline (default 120)',
      parseThreshold,
    )
    .option('--days <n>', 'days analysed up to now (default 30)', parseIntOption('--days', 1, 730))
    .option('--metric <metric>', STATS_METRICS.join(' | '), 'electricity_consumption')
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--device <prm>', 'one meter (PRM) or imported series (default: all of the building)')
    .option('--method <method>', `${ANOMALY_METHODS.join(' | ')} (default profile)`)
    .option('--no-store', 'detect and show only: store nothing, queue no alert')
    .option('--format <format>', 'table | json | csv', 'table')
    .action(async (opts: AnomaliesOptions & { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runAnomalies(ctx, opts);
      writeResult({
        format,
        json: res,
        csv: { columns: CSV_KEYS.map((k) => ({ key: k, header: k })), rows: res.anomalies },
        table: () => renderAnomaliesTable(res, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
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
    .addCommand(makeAckCommand());
}
