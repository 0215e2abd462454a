/**
 * The chart of `anomalies --explain`: the day's measured power against its baseline and the
 * limit above which an interval counts as over, in watts, with the intervals that fired
 * listed under it. Input is the data of explainAnomaly (src/analytics/anomalyExplain.ts).
 */
import * as asciichart from 'asciichart';
import { DateTime } from 'luxon';
import type { AnomalyExplanation } from '../analytics/anomalyExplain.js';
import type { ExplainedAnomaly } from '../services/anomalyExplain.js';

export interface ExplainChartOptions {
  zone: string;
  /** Terminal columns. */
  width: number;
  height?: number;
  color: boolean;
  language?: 'fr' | 'en';
}

const LEFT_MARGIN = 10;

/** Averages `values` into at most `columns` columns. */
function squeeze(values: readonly number[], columns: number): number[] {
  if (values.length <= columns) return [...values];
  const out: number[] = [];
  for (let c = 0; c < columns; c++) {
    const a = Math.floor((c * values.length) / columns);
    const b = Math.max(a + 1, Math.floor(((c + 1) * values.length) / columns));
    let sum = 0;
    for (let i = a; i < b; i++) sum += values[i] as number;
    out.push(sum / (b - a));
  }
  return out;
}

export function renderExplainChart(x: AnomalyExplanation, opts: ExplainChartOptions): string {
  const en = opts.language === 'en';
  if (x.points.length === 0) return x.note ?? (en ? 'nothing to explain' : 'rien à expliquer');
  const columns = Math.max(10, opts.width - LEFT_MARGIN - 2);
  const measured = squeeze(
    x.points.map((p) => p.watts),
    columns,
  );
  const baseline = squeeze(
    x.points.map((p) => p.baselineWatts),
    columns,
  );
  const limit = squeeze(
    x.points.map((p) => p.limitWatts),
    columns,
  );
  const colors = opts.color ? [asciichart.red, asciichart.green, asciichart.yellow] : undefined;
  const chart = asciichart.plot([measured, baseline, limit], {
    height: opts.height ?? 12,
    format: (v: number) => `${Math.round(v)} W`.padStart(LEFT_MARGIN - 2),
    ...(colors ? { colors } : {}),
  });
  const local = (d: Date): string =>
    DateTime.fromJSDate(d, { zone: opts.zone }).toFormat('dd/MM HH:mm');
  const first = x.points[0] as (typeof x.points)[number];
  const last = x.points[x.points.length - 1] as (typeof x.points)[number];
  const legend = en
    ? `measured, baseline, limit (threshold ${x.thresholdPercent} %, ${x.spreadFactor} spreads)`
    : `mesuré, référence, limite (seuil ${x.thresholdPercent} %, ${x.spreadFactor} écarts)`;
  const fired = x.points
    .filter((p) => p.inAnomaly && p.over)
    .map(
      (p) =>
        `  ${local(p.timestamp)}  ${Math.round(p.watts)} W  / ${Math.round(p.baselineWatts)} W ±${Math.round(p.spread * 100)} %, ${en ? 'limit' : 'limite'} ${Math.round(p.limitWatts)} W`,
    );
  return [
    `${local(first.timestamp)} – ${local(last.timestamp)}`,
    legend,
    chart,
    ...(fired.length > 0
      ? [en ? 'Intervals over the limit:' : 'Intervalles au-dessus de la limite :', ...fired]
      : []),
  ].join('\n');
}

/** What `anomalies --explain` shows: which anomaly, its baseline and limit, the chart. */
export function renderExplainedAnomaly(
  res: ExplainedAnomaly,
  opts: { width: number; color: boolean },
): string {
  const a = res.anomaly;
  const zone = res.building.timezone;
  const x = res.explanation;
  const local = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm');
  const size = a.sizeWatts === undefined ? '' : `, +${Math.round(a.sizeWatts)} W lasting`;
  const head = [
    `Anomaly ${a.id.slice(0, 8)} — ${a.kind.replace('_', ' ')}, ${a.severity}${size}, meter ${a.deviceRef} (${res.building.name})`,
    `${local(a.start)} → ${local(a.end)}${a.ongoing ? ' (ongoing)' : ''} (${zone})`,
    a.message,
    `Over when above the limit: the higher of ${x.thresholdPercent} % of the baseline`,
    `and the baseline + ${x.spreadFactor} × this meter's spread at that time of day.`,
  ];
  const chart = renderExplainChart(x, {
    zone,
    width: opts.width,
    color: opts.color,
    language: 'en',
  });
  return [...head, ...(res.note ? [res.note] : []), '', chart].join('\n');
}

/** The same for programs: every interval with its baseline, spread, limit and verdict. */
export function explainedAnomalyJson(res: ExplainedAnomaly) {
  const x = res.explanation;
  return {
    building: res.building,
    anomaly: {
      id: res.anomaly.id,
      device_ref: res.anomaly.deviceRef,
      kind: res.anomaly.kind,
      method: res.anomaly.method,
      timestamp: res.anomaly.start.toISOString(),
      end: res.anomaly.end.toISOString(),
      severity: res.anomaly.severity,
      message: res.anomaly.message,
      ongoing: res.anomaly.ongoing ?? false,
      peak_watts: res.anomaly.peakWatts ?? null,
      size_w: res.anomaly.sizeWatts ?? null,
    },
    threshold_percent: x.thresholdPercent,
    spread_factor: x.spreadFactor,
    note: res.note ?? x.note ?? null,
    intervals: x.points.map((p) => ({
      timestamp: p.timestamp.toISOString(),
      watts: Math.round(p.watts * 10) / 10,
      baseline_watts: Math.round(p.baselineWatts * 10) / 10,
      spread: Math.round(p.spread * 1000) / 1000,
      day_level: Math.round(p.dayLevel * 1000) / 1000,
      threshold_watts: Math.round(p.thresholdWatts * 10) / 10,
      limit_watts: Math.round(p.limitWatts * 10) / 10,
      over: p.over,
      in_anomaly: p.inAnomaly,
    })),
  };
}
