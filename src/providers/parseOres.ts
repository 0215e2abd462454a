/**
 * Parser for ORES load-curve answers:
 * `{"reading_type":{"unit":"Wh","measuring_period":"PT30M"},"interval_readings":[{"value":12500,"start","end"}]}`.
 * Values are energy over the interval (Wh); start and end are RFC 3339 with an offset, so
 * no local-time guessing is needed. Pure: throws a `malformed` ProviderCallError on
 * anything it cannot read.
 */
import type { IntervalReading } from '../domain/readings.js';
import { stepSeconds } from './localTime.js';
import {
  asObject,
  dedupeByStart,
  malformed,
  requiredList,
  readUnit,
  readValue,
  show,
  toKwh,
} from './parseCommon.js';

const WHAT = 'ORES load curve';
// RFC 3339 requires an offset; a time without one would be a guess between two zones.
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function instant(v: unknown, path: string): number {
  if (typeof v !== 'string' || !RFC3339_RE.test(v.trim())) {
    return malformed(WHAT, `${path} ${show(v)} is not an RFC 3339 date-time with offset`);
  }
  const t = Date.parse(v.trim().replace(' ', 'T'));
  if (Number.isNaN(t)) malformed(WHAT, `${path} ${show(v)} is not a real date-time`);
  return t;
}

export function parseOresLoadCurve(json: unknown): IntervalReading[] {
  const root = asObject(json, WHAT, 'answer');
  const list = requiredList(root.interval_readings, WHAT, 'interval_readings');
  if (list.length === 0) return [];
  const rt = asObject(root.reading_type, WHAT, 'reading_type');
  const unit = readUnit(rt.unit, WHAT, 'reading_type.unit');
  let period: number | null = null;
  if (rt.measuring_period !== undefined && rt.measuring_period !== null) {
    period = typeof rt.measuring_period === 'string' ? stepSeconds(rt.measuring_period) : null;
    if (period === null) {
      malformed(
        WHAT,
        `reading_type.measuring_period ${show(rt.measuring_period)} is not a duration`,
      );
    }
  }

  const out = list.map((item, i): IntervalReading => {
    const path = `interval_readings[${i}]`;
    const r = asObject(item, WHAT, path);
    const value = readValue(r.value, WHAT, path);
    const start = instant(r.start, `${path}.start`);
    let seconds: number;
    if (r.end !== undefined && r.end !== null) {
      seconds = (instant(r.end, `${path}.end`) - start) / 1000;
      if (!(seconds > 0) || !Number.isInteger(seconds)) {
        malformed(WHAT, `${path} ends ${show(r.end)}, not after its start ${show(r.start)}`);
      }
    } else if (period !== null) {
      seconds = period;
    } else {
      return malformed(WHAT, `${path} has no end and the answer no measuring_period`);
    }
    return { start: new Date(start), intervalSeconds: seconds, kwh: toKwh(value, unit, seconds) };
  });
  return dedupeByStart(out);
}
