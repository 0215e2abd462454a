/**
 * Parsing of files given to `import`: CSV (`timestamp,value[,unit,metric]`) or a saved
 * provider answer (Enedis 2026, Enedis v5, ORES JSON). Returns readings and the rows that
 * were rejected with their line numbers; writes nothing.
 */
import { DateTime } from 'luxon';
import {
  METRIC_DEVICE,
  checkNotFuture,
  isMetricType,
  normaliseValue,
  storedUnit,
  type IntervalReading,
  type MetricType,
  type Reading,
} from '../domain/readings.js';
import { InputError } from '../domain/errors.js';
import { parseEnedisLoadCurve } from '../providers/parseEnedis.js';
import { parseOresLoadCurve } from '../providers/parseOres.js';

export type ImportFormat = 'csv' | 'enedis' | 'ores';

export interface ParsedImport {
  format: ImportFormat | 'enedis-2026' | 'enedis-v5';
  readings: Reading[];
  invalid: { line: number; error: string }[];
  deviceRef: string;
  metric: MetricType;
}

export interface ImportTarget {
  buildingId: string;
  deviceRef?: string;
  metric?: MetricType;
  now: Date;
}

export function detectFormat(text: string): ImportFormat {
  const head = text.trimStart();
  if (!head.startsWith('{')) return 'csv';
  if (head.includes('"interval_readings"')) return 'ores';
  return 'enedis';
}

function fromIntervals(
  list: IntervalReading[],
  t: ImportTarget,
  deviceRef: string,
  metric: MetricType,
  source: string,
): Reading[] {
  return list.map((r) => ({
    buildingId: t.buildingId,
    deviceRef,
    deviceType: 'electricity_meter',
    metricType: metric,
    timestamp: r.start,
    intervalSeconds: r.intervalSeconds,
    value: r.kwh,
    unit: 'kWh',
    source,
  }));
}

/** The meter a saved answer names; without one the user must say which series it is. */
function meterOf(v: unknown): string {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  throw new InputError('the file does not name its meter (idPrm / usage_point_id)', {
    hint: 'pass --device PRM to say which meter it is; nothing was imported',
  });
}

export function parseProviderJson(
  text: string,
  format: 'enedis' | 'ores',
  t: ImportTarget,
): ParsedImport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      format,
      readings: [],
      invalid: [{ line: 1, error: `not valid JSON: ${(e as Error).message}` }],
      deviceRef: '',
      metric: 'electricity_consumption',
    };
  }
  const o = json as Record<string, unknown>;
  if (format === 'ores') {
    const list = parseOresLoadCurve(json);
    const ref = t.deviceRef ?? meterOf(o.usage_point_id);
    const metric = t.metric ?? 'electricity_consumption';
    return check(
      {
        format,
        readings: fromIntervals(list, t, ref, metric, 'linky_ores'),
        invalid: [],
        deviceRef: ref,
        metric,
      },
      t.now,
    );
  }
  const v5 = 'meter_reading' in o;
  const mr = (o.meter_reading ?? {}) as Record<string, unknown>;
  const grandeur = Array.isArray(o.grandeur) ? (o.grandeur as Record<string, unknown>[]) : [];
  const prod = !v5 && grandeur.length > 0 && grandeur.every((g) => g.grandeurMetier === 'PROD');
  const metric: MetricType =
    t.metric ?? (prod ? 'electricity_production' : 'electricity_consumption');
  const list = parseEnedisLoadCurve(json, {
    timeZone: 'Europe/Paris',
    metier: v5 ? undefined : metric === 'electricity_production' ? 'PROD' : 'CONS',
  });
  const ref = t.deviceRef ?? meterOf(v5 ? mr.usage_point_id : o.idPrm);
  return check(
    {
      format: v5 ? 'enedis-v5' : 'enedis-2026',
      readings: fromIntervals(list, t, ref, metric, 'linky_enedis'),
      invalid: [],
      deviceRef: ref,
      metric,
    },
    t.now,
  );
}

function check(p: ParsedImport, now: Date): ParsedImport {
  const ok: Reading[] = [];
  p.readings.forEach((r, i) => {
    const err = checkNotFuture(r.timestamp, now);
    if (err)
      p.invalid.push({ line: 0, error: `reading ${i + 1} (${r.timestamp.toISOString()}): ${err}` });
    else ok.push(r);
  });
  p.readings = ok;
  return p;
}

/** Splits one CSV line (RFC 4180 quotes). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/**
 * CSV: `timestamp,value[,unit,metric]`; a header line is allowed. The timestamp is the START
 * of the interval, ISO 8601 with an offset or Z. The interval length is the distance to the
 * series' next timestamp (the last row repeats the previous length; `intervalSeconds` forces it).
 */
export function parseCsv(
  text: string,
  t: ImportTarget & { intervalSeconds?: number },
): ParsedImport {
  const ref = t.deviceRef ?? 'import';
  const invalid: { line: number; error: string }[] = [];
  const rows: { line: number; ts: Date; value: number; unit: string; metric: MetricType }[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const f = splitCsv(raw);
    if (i === 0 && /^[a-z_ ]+$/i.test(f[0] ?? '') && /^[a-z_ ]+$/i.test(f[1] ?? '')) return; // header
    if (f.length < 2 || f.length > 4)
      return invalid.push({
        line,
        error: `expected timestamp,value[,unit,metric], got ${f.length} fields`,
      });
    const [tsText = '', valueText = '', unitText, metricText] = f;
    const metric = (metricText || t.metric || 'electricity_consumption') as string;
    if (!isMetricType(metric)) return invalid.push({ line, error: `unknown metric '${metric}'` });
    if (!/(Z|[+-]\d{2}:?\d{2})$/.test(tsText))
      return invalid.push({
        line,
        error: `timestamp '${tsText}' needs an offset or Z (e.g. 2025-01-15T08:00:00+01:00)`,
      });
    const dt = DateTime.fromISO(tsText, { setZone: true });
    if (!dt.isValid) return invalid.push({ line, error: `invalid timestamp '${tsText}'` });
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(valueText))
      return invalid.push({ line, error: `value '${valueText}' is not a number` });
    const unit = unitText || storedUnit(metric);
    const nv = normaliseValue(metric, Number(valueText), unit);
    if (!nv.ok) return invalid.push({ line, error: nv.error });
    const ts = dt.toJSDate();
    const fut = checkNotFuture(ts, t.now);
    if (fut) return invalid.push({ line, error: fut });
    rows.push({ line, ts, value: nv.value, unit: storedUnit(metric), metric });
  });
  // Interval lengths per metric series: the smaller of the distances to the previous and the
  // next timestamp, so a missing stretch stays a gap (it does not stretch the reading before
  // it) and a change of step is followed. A lone reading needs --interval.
  const readings: Reading[] = [];
  const byMetric = new Map<MetricType, typeof rows>();
  for (const r of rows) {
    let list = byMetric.get(r.metric);
    if (!list) byMetric.set(r.metric, (list = []));
    list.push(r);
  }
  for (const [metric, all] of byMetric) {
    all.sort((a, b) => a.ts.getTime() - b.ts.getTime() || a.line - b.line);
    const list: typeof rows = [];
    for (const r of all) {
      const prev = list[list.length - 1];
      if (prev && prev.ts.getTime() === r.ts.getTime()) {
        invalid.push({
          line: r.line,
          error: `duplicate timestamp ${r.ts.toISOString()} (also on line ${prev.line})`,
        });
      } else list.push(r);
    }
    list.forEach((r, i) => {
      const prev = list[i - 1];
      const next = list[i + 1];
      const dists = [
        prev && r.ts.getTime() - prev.ts.getTime(),
        next && next.ts.getTime() - r.ts.getTime(),
      ]
        .filter((d): d is number => typeof d === 'number' && d > 0)
        .map((d) => Math.round(d / 1000));
      const secs = t.intervalSeconds ?? (dists.length ? Math.min(...dists) : 0);
      if (!(secs > 0 && secs <= 86_400)) {
        invalid.push({
          line: r.line,
          error: 'cannot tell the interval length of a lone reading: pass --interval SECONDS',
        });
        return;
      }
      readings.push({
        buildingId: t.buildingId,
        deviceRef: ref,
        deviceType: METRIC_DEVICE[metric],
        metricType: metric,
        timestamp: r.ts,
        intervalSeconds: secs,
        value: r.value,
        unit: r.unit,
        source: 'import',
      });
    });
  }
  invalid.sort((a, b) => a.line - b.line);
  return {
    format: 'csv',
    readings,
    invalid,
    deviceRef: ref,
    metric: (t.metric ?? 'electricity_consumption') as MetricType,
  };
}
