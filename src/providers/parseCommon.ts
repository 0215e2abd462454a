/**
 * Pieces shared by the answer parsers: shape checks, numeric values, unit conversion to
 * kWh, and duplicate removal. Any problem is a `malformed` ProviderCallError: the sync
 * stores nothing from an answer it could not read whole.
 */
import type { IntervalReading } from '../domain/readings.js';
import { ProviderCallError } from './errors.js';

export function malformed(what: string, message: string): never {
  throw new ProviderCallError('malformed', `${what}: ${message}`);
}

export type JsonObject = Record<string, unknown>;

export function asObject(v: unknown, what: string, path: string): JsonObject {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    malformed(what, `${path} is not an object`);
  }
  return v as JsonObject;
}

/**
 * The answer's main list: present (possibly empty). An answer without it is not one we know
 * (an error page, a changed API), never "no readings".
 */
export function requiredList(v: unknown, what: string, path: string): unknown[] {
  if (v === undefined || v === null) malformed(what, `${path} is missing`);
  return optionalList(v, what, path);
}

/** A list that may be absent (null/undefined → empty: no readings). */
export function optionalList(v: unknown, what: string, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) malformed(what, `${path} is not a list`);
  return v;
}

/** Shortens a value for an error message (answers can hold anything). */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A non-negative finite number, given as a number or a numeric string. */
export function readValue(v: unknown, what: string, path: string): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && NUMBER_RE.test(v.trim())) n = Number(v.trim());
  else return malformed(what, `${path} value ${show(v)} is not a number`);
  if (!Number.isFinite(n)) malformed(what, `${path} value ${show(v)} is not a finite number`);
  if (n < 0) malformed(what, `${path} value ${show(v)} is negative`);
  return n;
}

export type UnitKind = { kind: 'power'; toWatts: number } | { kind: 'energy'; toWh: number };

/** Units the providers use: average power (W, kW) or energy per interval (Wh, kWh). */
export function readUnit(v: unknown, what: string, path: string): UnitKind {
  const u = typeof v === 'string' ? v.trim() : '';
  switch (u.toLowerCase()) {
    case 'w':
      return { kind: 'power', toWatts: 1 };
    case 'kw':
      return { kind: 'power', toWatts: 1000 };
    case 'wh':
      return { kind: 'energy', toWh: 1 };
    case 'kwh':
      return { kind: 'energy', toWh: 1000 };
    default:
      return malformed(what, `${path} unit ${show(v)} is not one of W, kW, Wh, kWh`);
  }
}

/**
 * kWh of one interval. Average power: W × minutes / 60 / 1000 (a 30-minute point of
 * 4078 W is 2.039 kWh). Energy: Wh / 1000.
 */
export function toKwh(value: number, unit: UnitKind, intervalSeconds: number): number {
  if (unit.kind === 'energy') return (value * unit.toWh) / 1000;
  return (value * unit.toWatts * (intervalSeconds / 60)) / 60 / 1000;
}

/**
 * Sorted by start, one reading per start. When an answer holds the same start twice the
 * last one wins: providers append corrections after the value they replace.
 */
export function dedupeByStart(readings: IntervalReading[]): IntervalReading[] {
  const byStart = new Map<number, IntervalReading>();
  for (const r of readings) {
    const t = r.start.getTime();
    byStart.delete(t);
    byStart.set(t, r);
  }
  return [...byStart.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}
