/**
 * Enedis daily series beyond daily consumption: the day's maximum power drawn
 * (`puissance_conso_max_quotidienne`, v5 `daily_consumption_max_power`: VA, dated by the
 * local time of the peak), and the reading of any saved Enedis answer by its shape, so an
 * import needs no `--metric`: a load curve, daily totals or maximum power, consumption or
 * production (2026 `grandeurMetier`, v5 by the caller's hint).
 */
import type { MetricType } from '../domain/readings.js';
import { parseEnedisDaily, parseEnedisLoadCurve, type EnedisParseOptions } from './parseEnedis.js';
import { asObject, malformed, optionalList, readValue, requiredList, show } from './parseCommon.js';
import { resolveLocal, wallClockMs, zoneOf } from './localTime.js';

/** One day's peak: the instant it happened and the apparent power, VA. */
export interface MaxPowerReading {
  at: Date;
  va: number;
}

const WHAT = 'Enedis daily maximum power';

function readVa(unit: unknown, path: string): number {
  if (unit === 'VA') return 1;
  if (unit === 'kVA') return 1000;
  return malformed(WHAT, `${path} ${show(unit)} is not VA or kVA`);
}

function peaks(
  points: { value: unknown; date: unknown }[],
  factor: number,
  timeZone: string,
  path: string,
): MaxPowerReading[] {
  const zone = zoneOf(timeZone);
  return points.map((p, i) => {
    const where = `${path}[${i}]`;
    const va = readValue(p.value, WHAT, where) * factor;
    const wall = typeof p.date === 'string' ? wallClockMs(p.date) : null;
    if (wall === null)
      malformed(WHAT, `${where} date ${show(p.date)} is not "YYYY-MM-DD HH:mm:ss"`);
    // A peak in the repeated October hour is ambiguous; the first occurrence is taken.
    return { at: new Date(resolveLocal(wall, zone, null)), va };
  });
}

/** The day's maximum power in either envelope (2026 `grandeur`, v5 `meter_reading`). */
export function parseEnedisMaxPower(json: unknown, opts: { timeZone: string }): MaxPowerReading[] {
  const root = asObject(json, WHAT, 'answer');
  if ('meter_reading' in root) {
    const mr = asObject(root.meter_reading, WHAT, 'meter_reading');
    const rt = asObject(mr.reading_type, WHAT, 'meter_reading.reading_type');
    const path = 'meter_reading.interval_reading';
    const points = requiredList(mr.interval_reading, WHAT, path).map((p, i) => {
      const o = asObject(p, WHAT, `${path}[${i}]`);
      return { value: o.value, date: o.date };
    });
    return peaks(points, readVa(rt.unit, 'meter_reading.reading_type.unit'), opts.timeZone, path);
  }
  const out: MaxPowerReading[] = [];
  requiredList(root.grandeur, WHAT, 'grandeur').forEach((g, gi) => {
    const entry = asObject(g, WHAT, `grandeur[${gi}]`);
    const path = `grandeur[${gi}].points`;
    const points = optionalList(entry.points, WHAT, path).map((p, i) => {
      const o = asObject(p, WHAT, `${path}[${i}]`);
      return { value: o.v, date: o.d };
    });
    if (points.length === 0) return;
    out.push(...peaks(points, readVa(entry.unite, `grandeur[${gi}].unite`), opts.timeZone, path));
  });
  return out;
}

export type EnedisAnswerShape = 'load_curve' | 'daily' | 'max_power';

/** What a saved answer holds, told from its shape; production from the 2026 `grandeurMetier`. */
export function describeEnedisAnswer(json: unknown): {
  shape: EnedisAnswerShape;
  production: boolean | null;
} {
  const root = asObject(json, 'Enedis answer', 'answer');
  if ('meter_reading' in root) {
    const mr = asObject(root.meter_reading, 'Enedis answer', 'meter_reading');
    const rt =
      mr.reading_type && typeof mr.reading_type === 'object'
        ? (mr.reading_type as Record<string, unknown>)
        : {};
    const unit = String(rt.unit ?? '');
    const shape: EnedisAnswerShape = /VA$/.test(unit)
      ? 'max_power'
      : /Wh$/.test(unit)
        ? 'daily'
        : 'load_curve';
    // v5 answers do not say the direction; the endpoint did (the caller's hint).
    return { shape, production: null };
  }
  const first = requiredList(root.grandeur, 'Enedis answer', 'grandeur')[0];
  const g = asObject(first, 'Enedis answer', 'grandeur[0]');
  const unit = String(g.unite ?? '');
  const shape: EnedisAnswerShape = /VA$/.test(unit)
    ? 'max_power'
    : /Wh$/.test(unit)
      ? 'daily'
      : 'load_curve';
  const metier = g.grandeurMetier;
  return { shape, production: metier === 'PROD' ? true : metier === 'CONS' ? false : null };
}

/** A reading of a saved answer: start (or the peak's instant), length, value in `unit`. */
export interface SavedAnswerReading {
  timestamp: Date;
  intervalSeconds: number;
  value: number;
  unit: 'kWh' | 'VA';
}

/**
 * Any saved Enedis answer as readings of its own metric. `production` says the direction
 * when the answer does not (v5); a 2026 answer's `grandeurMetier` wins over it.
 */
export function parseEnedisSavedAnswer(
  json: unknown,
  opts: { timeZone: string; production?: boolean },
): { metric: MetricType; readings: SavedAnswerReading[] } {
  const what = describeEnedisAnswer(json);
  const production = what.production ?? opts.production === true;
  if (what.shape === 'max_power') {
    return {
      metric: 'max_power_daily',
      readings: parseEnedisMaxPower(json, opts).map((p) => ({
        timestamp: p.at,
        intervalSeconds: 0,
        value: p.va,
        unit: 'VA',
      })),
    };
  }
  const parseOpts: EnedisParseOptions = {
    timeZone: opts.timeZone,
    metier: production ? 'PROD' : 'CONS',
  };
  const daily = what.shape === 'daily';
  const intervals = daily
    ? parseEnedisDaily(json, parseOpts)
    : parseEnedisLoadCurve(json, parseOpts);
  const metric: MetricType = daily
    ? production
      ? 'electricity_production_daily'
      : 'electricity_consumption_daily'
    : production
      ? 'electricity_production'
      : 'electricity_consumption';
  return {
    metric,
    readings: intervals.map((r) => ({
      timestamp: r.start,
      intervalSeconds: r.intervalSeconds,
      value: r.kwh,
      unit: 'kWh',
    })),
  };
}
