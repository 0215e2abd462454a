/**
 * Anomalies for people and programs: the table of a detection run, the table of stored
 * anomalies (the list, and the report's open ones), their JSON and CSV shapes.
 */
import { DateTime } from 'luxon';
import type { AnomaliesResult, AnomalyReportRow, StoredAnomaly } from '../services/anomalies.js';
import { createColors, visibleLength, type Colors } from './color.js';
import { formatNumber, wrapWords } from './format.js';
import { NO_TARIFF_HINT } from './statsCostView.js';
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
/**
 * An anomaly's level as a share of its baseline, in percent: the scale of the threshold
 * (150 is one and a half times the usual load, i.e. +50 %).
 */
function percentOfBaseline(a: {
  value: number;
  baseline?: number | undefined;
  variancePercent: number;
}): number {
  if (a.baseline !== undefined && a.baseline > 0 && Number.isFinite(a.value)) {
    return (a.value / a.baseline) * 100;
  }
  return 100 + a.variancePercent;
}

/** The threshold's scale: 190% of the baseline (not "+90%" next to "threshold 150%"). */
const ofBaseline = (a: { value: number; baseline?: number | undefined; variancePercent: number }) =>
  `${formatNumber(percentOfBaseline(a), 0)}%`;
/** An event still lasting at the end of the data: its end will move on. */
const withOngoing = (span: string, ongoing: boolean | undefined) =>
  ongoing ? `${span} (ongoing)` : span;
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
        `(${res.method}, threshold ${res.threshold_percent}% of baseline)`,
      opts.width,
      '  ',
    ),
  );
  const history = historyLines(res, paint, opts.width);
  if (res.anomalies.length === 0) {
    const none = history.length > 0 ? 'no anomaly in the days judged' : 'no anomaly in this period';
    return [head, none, ...history].join('\n');
  }
  const severalMeters = new Set(res.anomalies.map((a) => a.device_ref)).size > 1;
  const rows = res.anomalies.map((a) => ({
    id: shortId(a.id),
    when: withOngoing(formatSpan(new Date(a.timestamp), new Date(a.end), zone), a.ongoing),
    meter: a.device_ref,
    kind: kindLabel(a.kind),
    value: a.value,
    baseline: a.baseline ?? a.avg_7d ?? null,
    above: ofBaseline({
      value: a.value,
      baseline: a.baseline ?? a.avg_7d,
      variancePercent: a.variance_percent,
    }),
    severity: paintSeverity(a.severity, paint),
    message: a.message,
    excess: a.excess_kwh,
    cost: a.cost_eur,
  }));
  type Row = (typeof rows)[number];
  const priced = res.cost_total_eur !== null;
  const columns = [
    { key: 'id' as const, header: 'Id', keep: true },
    { key: 'when' as const, header: 'When', keep: true },
    ...(severalMeters ? [{ key: 'meter' as const, header: 'Meter', keep: true }] : []),
    { key: 'kind' as const, header: 'Kind' },
    { key: 'value' as const, header: 'Value', unit: 'kWh', decimals: 3 },
    { key: 'baseline' as const, header: 'Baseline', unit: 'kWh', decimals: 3, drop: 1 },
    { key: 'above' as const, header: '% of baseline', align: 'right' as const },
    { key: 'severity' as const, header: 'Severity' },
    // What the kWh above the baseline cost at the margin, when the building has a tariff.
    ...(priced
      ? [
          { key: 'excess' as const, header: 'Excess', unit: 'kWh', decimals: 3 },
          { key: 'cost' as const, header: 'Cost', unit: '€', decimals: 2 },
        ]
      : []),
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
  const lines = [head, table, ...history];
  if (!inline)
    for (const r of rows) lines.push(wrapWords(`${r.id}  ${r.message}`, opts.width, '          '));
  if (res.stored > 0)
    lines.push(paint.dim(`${res.stored} new, ${res.alerts_queued} alerts queued`));
  lines.push(
    paint.dim(
      wrapWords(
        priced
          ? `over-consumption cost ${formatNumber(res.cost_total_eur, 2)} € in all (kWh above the baseline, energy, network and taxes with VAT)`
          : NO_TARIFF_HINT,
        opts.width,
      ),
    ),
  );
  const sent = res.alerts_delivered;
  if (sent && sent.claimed > 0) {
    const failed = sent.retrying + sent.failed;
    lines.push(
      paint.dim(`${sent.sent} alerts sent${failed > 0 ? `, ${failed} not delivered` : ''}`),
    );
  }
  return lines.join('\n');
}

/**
 * "not enough history" per series that lacked it: the days before judging starts are not
 * guessed at, and the user sees from when they will be.
 */
function historyLines(res: AnomaliesResult, paint: Colors, width: number): string[] {
  const zone = res.building.timezone;
  return res.not_enough_history.map((h) => {
    const day = (iso: string) => DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm');
    const need = `${h.history_days_needed} usable days needed`;
    const text =
      h.history === 'partial' && h.judged_from
        ? `${h.device_ref}: not enough history before ${day(h.judged_from)}, judged from then on (${need})`
        : `${h.device_ref}: not enough history, nothing judged (${need}` +
          (h.judged_from ? `; judging starts ${day(h.judged_from)} at the earliest)` : ')');
    return paint.yellow(wrapWords(text, width, '  '));
  });
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
      { key: 'above', header: '% of baseline', align: 'right' },
      { key: 'severity', header: 'Severity' },
      ...(withAck ? [{ key: 'ack' as const, header: 'Acknowledged', drop: 1 }] : []),
    ],
    rows: list.map((a) => ({
      id: shortId(a.id),
      when: withOngoing(formatSpan(a.start, a.end, zone), a.ongoing),
      meter: a.deviceRef,
      kind: kindLabel(a.kind),
      method: a.method,
      above: ofBaseline(a),
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
    ongoing: a.ongoing ?? false,
    peak_watts: a.peakWatts ?? null,
    size_w: a.sizeWatts ?? null,
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
  'ongoing',
  'peak_watts',
  'size_w',
  'detected_at',
  'acknowledged_at',
  'acknowledged_by',
];

/** The CSV columns of a detection run: the cost columns only when the building has a tariff. */
export function detectedAnomalyCsvKeys(res: AnomaliesResult): (keyof AnomalyReportRow)[] {
  return res.cost_total_eur === null
    ? DETECTED_ANOMALY_CSV_KEYS
    : [...DETECTED_ANOMALY_CSV_KEYS, 'excess_kwh', 'cost_eur'];
}

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
  'ongoing',
  'peak_watts',
  'size_w',
  'acknowledged',
];
