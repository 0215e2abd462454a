/**
 * Anomalies for people and programs: the table of a detection run, the table of stored
 * anomalies (the list, and the report's open ones), their JSON and CSV shapes.
 */
import { DateTime } from 'luxon';
import type { AnomaliesResult, AnomalyReportRow, StoredAnomaly } from '../services/anomalies.js';
import { createColors, visibleLength, type Colors } from './color.js';
import { formatNumber, wrapWords } from './format.js';
import { renderTable } from './table.js';

const DAY_MS = 86_400_000;
/** Below this many columns left for it, messages go under the table instead. */
const MIN_MESSAGE_WIDTH = 30;

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
const kindLabel = (kind: string) => kind.replace('_', ' ');

/** The anomalies one detection run found, with where each is stored. */
export function renderDetectedAnomalies(
  res: AnomaliesResult,
  opts: { color: boolean; width: number },
): string {
  const paint = createColors(opts.color);
  const zone = res.building.timezone;
  const period = res.analysis_period;
  const head = paint.bold(
    wrapWords(
      `${res.total_anomalies} anomal${res.total_anomalies === 1 ? 'y' : 'ies'} — ${res.building.name}, ` +
        `${formatSpan(new Date(period.start), new Date(period.end), zone)} ` +
        `(${res.method}, threshold ${res.threshold_percent}%)`,
      opts.width,
      '  ',
    ),
  );
  if (res.anomalies.length === 0) return `${head}\nno anomaly in this period`;
  const severalMeters = new Set(res.anomalies.map((a) => a.device_ref)).size > 1;
  const rows = res.anomalies.map((a) => ({
    id: shortId(a.id),
    when: formatSpan(new Date(a.timestamp), new Date(a.end), zone),
    meter: a.device_ref,
    kind: kindLabel(a.kind),
    value: a.value,
    baseline: a.baseline ?? a.avg_7d ?? null,
    above: excess(a.variance_percent),
    severity: paintSeverity(a.severity, paint),
    message: a.message,
  }));
  type Row = (typeof rows)[number];
  const columns = [
    { key: 'id' as const, header: 'Id', keep: true },
    { key: 'when' as const, header: 'When', keep: true },
    ...(severalMeters ? [{ key: 'meter' as const, header: 'Meter', keep: true }] : []),
    { key: 'kind' as const, header: 'Kind' },
    { key: 'value' as const, header: 'Value', unit: 'kWh', decimals: 3 },
    { key: 'baseline' as const, header: 'Baseline', unit: 'kWh', decimals: 3, drop: 1 },
    { key: 'above' as const, header: 'Above', align: 'right' as const },
    { key: 'severity' as const, header: 'Severity' },
  ];
  const withoutMessages = renderTable<Row>({
    columns,
    rows,
    color: opts.color,
    maxWidth: opts.width,
  });
  const used = Math.max(...withoutMessages.split('\n').map(visibleLength));
  const inline = opts.width - used - 2 >= MIN_MESSAGE_WIDTH;
  const table = inline
    ? renderTable<Row>({
        columns: [...columns, { key: 'message' as const, header: 'Message' }],
        rows,
        color: opts.color,
        maxWidth: opts.width,
      })
    : withoutMessages;
  const lines = [head, table];
  if (!inline)
    for (const r of rows) lines.push(wrapWords(`${r.id}  ${r.message}`, opts.width, '          '));
  if (res.stored > 0)
    lines.push(paint.dim(`${res.stored} new, ${res.alerts_queued} alerts queued`));
  return lines.join('\n');
}

/** Stored anomalies; without the acknowledged column for open ones only (the report). */
export function renderStoredAnomalies(
  list: readonly StoredAnomaly[],
  zone: string,
  opts: { color: boolean; width: number; acknowledged?: boolean },
): string {
  const paint = createColors(opts.color);
  const withAck = opts.acknowledged !== false;
  const acknowledged = (a: StoredAnomaly) => {
    if (!a.acknowledgedAt) return 'no';
    const at = DateTime.fromJSDate(a.acknowledgedAt, { zone }).toFormat('yyyy-MM-dd HH:mm');
    return a.acknowledgedBy ? `${at} by ${a.acknowledgedBy}` : at;
  };
  return renderTable({
    columns: [
      { key: 'id', header: 'Id', keep: true },
      { key: 'when', header: 'When', keep: true },
      { key: 'meter', header: 'Meter', keep: true },
      { key: 'kind', header: 'Kind' },
      { key: 'method', header: 'Method', drop: 2 },
      { key: 'above', header: 'Above', align: 'right' },
      { key: 'severity', header: 'Severity' },
      ...(withAck ? [{ key: 'ack' as const, header: 'Acknowledged', drop: 1 }] : []),
    ],
    rows: list.map((a) => ({
      id: shortId(a.id),
      when: formatSpan(a.start, a.end, zone),
      meter: a.deviceRef,
      kind: kindLabel(a.kind),
      method: a.method,
      above: excess(a.variancePercent),
      severity: paintSeverity(a.severity, paint),
      ack: acknowledged(a),
    })),
    color: opts.color,
    maxWidth: opts.width,
    empty: 'no stored anomaly',
  });
}

/** A stored anomaly as the JSON outputs show it (the seed's field names). */
export function anomalyJson(a: StoredAnomaly) {
  return {
    id: a.id,
    device_ref: a.deviceRef,
    kind: a.kind,
    method: a.method,
    timestamp: a.start.toISOString(),
    end: a.end.toISOString(),
    value: a.value,
    baseline: a.baseline,
    variance_percent: a.variancePercent,
    severity: a.severity,
    message: a.message,
  };
}

/** With what `anomalies list` and `ack` add: its metric, when found and acknowledged. */
export function storedAnomalyJson(a: StoredAnomaly) {
  return {
    ...anomalyJson(a),
    metric_type: a.metricType,
    detected_at: a.detectedAt.toISOString(),
    acknowledged_at: a.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: a.acknowledgedBy,
  };
}

export const STORED_ANOMALY_CSV_KEYS: (keyof ReturnType<typeof storedAnomalyJson>)[] = [
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

export const DETECTED_ANOMALY_CSV_KEYS: (keyof AnomalyReportRow)[] = [
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
