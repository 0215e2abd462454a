/**
 * Parsers for Enedis answers (Data Connect 2026 and legacy v5) into IntervalReading[].
 *
 * Load curve points carry the AVERAGE POWER in W over the interval, dated by the local
 * time (Europe/Paris) of the END of the interval; the step may change inside a series.
 * Daily points carry Wh for a local day. Pure functions: they throw a `malformed`
 * ProviderCallError on anything they cannot read, and return nothing in that case.
 */
import type { IntervalReading } from '../domain/readings.js';
import {
  asObject,
  dedupeByStart,
  malformed,
  optionalList,
  requiredList,
  readUnit,
  readValue,
  show,
  toKwh,
  type UnitKind,
} from './parseCommon.js';
import {
  localDaySeconds,
  localDayStart,
  resolveLocal,
  stepSeconds,
  wallClockMs,
  zoneOf,
} from './localTime.js';

export interface EnedisParseOptions {
  /** Zone of the answer's local dates (Europe/Paris). */
  timeZone: string;
  /** 2026 answers: keep only the `grandeur` entries of this kind (CONS or PROD). */
  metier?: 'CONS' | 'PROD';
}

/** One point as both API versions give it, before interpretation. */
interface RawPoint {
  value: unknown;
  date: unknown;
  step: unknown;
}

const WHAT = 'Enedis load curve';

/** Points in chronological order → readings (not yet deduplicated). */
function loadCurvePoints(points: RawPoint[], unit: UnitKind, timeZone: string, path: string) {
  const zone = zoneOf(timeZone);
  const out: IntervalReading[] = [];
  let prevEnd: number | null = null;
  let prevStep: number | null = null;
  points.forEach((p, i) => {
    const where = `${path}[${i}]`;
    const value = readValue(p.value, WHAT, where);
    const wall = typeof p.date === 'string' ? wallClockMs(p.date) : null;
    if (wall === null)
      malformed(WHAT, `${where} date ${show(p.date)} is not "YYYY-MM-DD HH:mm:ss"`);
    let step: number | null;
    if (p.step === undefined || p.step === null || p.step === '') step = prevStep;
    else step = typeof p.step === 'string' ? stepSeconds(p.step) : null;
    if (step === null || step > 86_400) {
      malformed(WHAT, `${where} step ${show(p.step)} is not an ISO 8601 duration like PT30M`);
    }
    const end = resolveLocal(wall, zone, prevEnd);
    out.push({
      start: new Date(end - step * 1000),
      intervalSeconds: step,
      kwh: toKwh(value, unit, step),
    });
    prevEnd = end;
    prevStep = step;
  });
  return out;
}

/** Day points ("YYYY-MM-DD", Wh) → one reading per local day. */
function dailyPoints(points: RawPoint[], unit: UnitKind, timeZone: string, path: string) {
  zoneOf(timeZone);
  if (unit.kind !== 'energy')
    malformed('Enedis daily consumption', `${path} unit is a power, not an energy`);
  return points.map((p, i): IntervalReading => {
    const where = `${path}[${i}]`;
    const value = readValue(p.value, 'Enedis daily consumption', where);
    const m =
      typeof p.date === 'string'
        ? /^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?$/.exec(p.date.trim())
        : null;
    const day = m?.[1];
    if (!day || wallClockMs(`${day} 00:00:00`) === null) {
      return malformed('Enedis daily consumption', `${where} date ${show(p.date)} is not a day`);
    }
    const seconds = localDaySeconds(day, timeZone);
    return {
      start: localDayStart(day, timeZone),
      intervalSeconds: seconds,
      kwh: toKwh(value, unit, seconds),
    };
  });
}

type PointReader = (
  points: RawPoint[],
  unit: UnitKind,
  timeZone: string,
  path: string,
) => IntervalReading[];

/** The 2026 envelope: `{"grandeur":[{"grandeurMetier","unite","points":[{v,d,p,n}]}]}`. */
function parse2026(json: unknown, opts: EnedisParseOptions, read: PointReader, what: string) {
  const root = asObject(json, what, 'answer');
  const out: IntervalReading[] = [];
  requiredList(root.grandeur, what, 'grandeur').forEach((g, gi) => {
    const entry = asObject(g, what, `grandeur[${gi}]`);
    if (
      opts.metier !== undefined &&
      entry.grandeurMetier !== undefined &&
      entry.grandeurMetier !== opts.metier
    ) {
      return;
    }
    const path = `grandeur[${gi}].points`;
    const points = optionalList(entry.points, what, path).map((p, i) => {
      const o = asObject(p, what, `${path}[${i}]`);
      return { value: o.v, date: o.d, step: o.p };
    });
    if (points.length === 0) return;
    out.push(
      ...read(points, readUnit(entry.unite, what, `grandeur[${gi}].unite`), opts.timeZone, path),
    );
  });
  return dedupeByStart(out);
}

/** The v5 envelope: `{"meter_reading":{"reading_type":{"unit"},"interval_reading":[{value,date,interval_length}]}}`. */
function parseV5(json: unknown, opts: EnedisParseOptions, read: PointReader, what: string) {
  const root = asObject(json, what, 'answer');
  const mr = asObject(root.meter_reading, what, 'meter_reading');
  const path = 'meter_reading.interval_reading';
  const points = requiredList(mr.interval_reading, what, path).map((p, i) => {
    const o = asObject(p, what, `${path}[${i}]`);
    return { value: o.value, date: o.date, step: o.interval_length };
  });
  if (points.length === 0) return [];
  const rt = asObject(mr.reading_type, what, 'meter_reading.reading_type');
  return dedupeByStart(
    read(points, readUnit(rt.unit, what, 'meter_reading.reading_type.unit'), opts.timeZone, path),
  );
}

/** Data Connect 2026 load curve (`courbe_de_charge_consommation` / `_production`). */
export function parseEnedis2026LoadCurve(
  json: unknown,
  opts: EnedisParseOptions,
): IntervalReading[] {
  return parse2026(json, opts, loadCurvePoints, WHAT);
}

/** Legacy v5 load curve (`consumption_load_curve` / `production_load_curve`). */
export function parseEnedisV5LoadCurve(json: unknown, opts: EnedisParseOptions): IntervalReading[] {
  return parseV5(json, opts, loadCurvePoints, WHAT);
}

/** Daily consumption (Wh per local day), in either envelope: v5 has `meter_reading`. */
export function parseEnedisDaily(json: unknown, opts: EnedisParseOptions): IntervalReading[] {
  const what = 'Enedis daily consumption';
  if (json !== null && typeof json === 'object' && 'meter_reading' in json) {
    return parseV5(json, opts, dailyPoints, what);
  }
  return parse2026(json, opts, dailyPoints, what);
}

/** Either load-curve envelope, told apart by its shape (for saved answers given to `import`). */
export function parseEnedisLoadCurve(json: unknown, opts: EnedisParseOptions): IntervalReading[] {
  if (json !== null && typeof json === 'object' && 'meter_reading' in json) {
    return parseEnedisV5LoadCurve(json, opts);
  }
  return parseEnedis2026LoadCurve(json, opts);
}
