/**
 * Saved provider answers given to `import`: Enedis Data Connect 2026 and v5 load curves, and
 * ORES load curves (JSON). A 2026 answer says per series whether it is consumption or
 * production (`grandeurMetier` CONS / PROD): each series is stored under its metric. A v5
 * answer does not say; it is read as consumption unless --metric says otherwise.
 */
import { checkNotFuture, type IntervalReading, type MetricType } from '../domain/readings.js';
import { InputError } from '../domain/errors.js';
import { ProviderCallError } from '../providers/errors.js';
import { parseEnedisLoadCurve } from '../providers/parseEnedis.js';
import { parseOresLoadCurve } from '../providers/parseOres.js';
import type { ParseTarget, RowSink } from './types.js';

export interface ProviderJsonResult {
  format: 'ores' | 'enedis-2026' | 'enedis-v5';
  meter: string | undefined;
  source: string;
  notes: string[];
}

function named(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function emit(
  list: IntervalReading[],
  metric: MetricType,
  t: ParseTarget,
  sink: RowSink,
  from: number,
): number {
  list.forEach((r, i) => {
    const err = checkNotFuture(r.start, t.now);
    if (err)
      sink.error({ line: 0, error: `reading ${from + i + 1} (${r.start.toISOString()}): ${err}` });
    else
      sink.row({
        line: 0,
        metric,
        startMs: r.start.getTime(),
        seconds: r.intervalSeconds,
        value: r.kwh,
        unit: 'kWh',
        part: '',
      });
  });
  return from + list.length;
}

/** Parses a saved answer; a malformed one is an InputError (nothing is imported). */
export function parseProviderJson(
  text: string,
  format: 'enedis' | 'ores',
  t: ParseTarget,
  sink: RowSink,
): ProviderJsonResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, {
      hint: 'nothing was imported',
    });
  }
  try {
    return read(json, format, t, sink);
  } catch (e) {
    if (e instanceof ProviderCallError)
      throw new InputError(e.message, { hint: 'nothing was imported' });
    throw e;
  }
}

function read(
  json: unknown,
  format: 'enedis' | 'ores',
  t: ParseTarget,
  sink: RowSink,
): ProviderJsonResult {
  const o = (json ?? {}) as Record<string, unknown>;
  if (format === 'ores') {
    emit(parseOresLoadCurve(json), t.metric ?? 'electricity_consumption', t, sink, 0);
    return { format: 'ores', meter: named(o.usage_point_id), source: 'linky_ores', notes: [] };
  }
  if ('meter_reading' in o) {
    const mr = (o.meter_reading ?? {}) as Record<string, unknown>;
    emit(
      parseEnedisLoadCurve(json, { timeZone: 'Europe/Paris' }),
      t.metric ?? 'electricity_consumption',
      t,
      sink,
      0,
    );
    const notes = t.metric
      ? []
      : [
          'a v5 answer does not say whether it is consumption or production: read as consumption (pass --metric electricity_production for a production curve)',
        ];
    return { format: 'enedis-v5', meter: named(mr.usage_point_id), source: 'linky_enedis', notes };
  }
  const grandeur = Array.isArray(o.grandeur) ? (o.grandeur as Record<string, unknown>[]) : [];
  let metiers = new Set(grandeur.map((g) => (g.grandeurMetier === 'PROD' ? 'PROD' : 'CONS')));
  if (metiers.size === 0) metiers = new Set(['CONS']);
  // --metric overrides what the answer says; with both series in one answer it picks one.
  if (t.metric && metiers.size > 1)
    metiers = new Set([t.metric === 'electricity_production' ? 'PROD' : 'CONS']);
  let n = 0;
  for (const metier of metiers) {
    const metric: MetricType =
      t.metric ?? (metier === 'PROD' ? 'electricity_production' : 'electricity_consumption');
    n = emit(parseEnedisLoadCurve(json, { timeZone: 'Europe/Paris', metier }), metric, t, sink, n);
  }
  return { format: 'enedis-2026', meter: named(o.idPrm), source: 'linky_enedis', notes: [] };
}
