/**
 * Turns a stream of parsed telegrams into quarter-hour readings. Pure: no clock, no I/O;
 * the caller hands in each telegram with the instant it arrived.
 *
 * Each telegram is dated by its own 0-0:1.0.0 timestamp. The register value at a
 * quarter-hour boundary is the telegram exactly on it, or the linear interpolation between
 * the telegrams either side; a quarter's energy is the difference of (1.8.1 + 1.8.2), and
 * of (2.8.1 + 2.8.2), at its two boundaries. Because consecutive quarters share boundary
 * values, a day's quarters add up to the register difference between its midnights.
 *
 * Telegrams queued by a broker arrive late but in order and are placed by their timestamp.
 * No reading is invented across a silence longer than `maxGapSeconds`, nor across a
 * register that went backwards: both restart the baseline and are reported as events.
 */
import { localMonth } from './p1Time.js';
import type { MbusKind, P1Telegram } from './types.js';

const QUARTER_MS = 900_000;

/** Metrics a P1 meter yields; the domain's metric list gains `electricity_demand`. */
export type P1Metric =
  | 'electricity_consumption'
  | 'electricity_production'
  | 'electricity_demand'
  | 'gas_consumption'
  | 'water_consumption';

export interface P1Reading {
  metric: P1Metric;
  /** Start of the interval, UTC ms. */
  start: number;
  intervalSeconds: number;
  value: number;
  unit: 'kWh' | 'kW' | 'm3';
}

/** This month's peak as the meter states it (1-0:1.6.0), the capacity tariff's base. */
export interface P1MonthPeak {
  /** Local calendar month, `YYYY-MM`. */
  month: string;
  at: number | null;
  kw: number;
}

export type P1Event =
  | { kind: 'gap'; from: number; to: number; importKwh: number; exportKwh: number }
  | {
      kind: 'register_reset';
      at: number;
      register: 'import' | 'export' | 'gas' | 'water';
      before: number;
      after: number;
    }
  | { kind: 'clock_suspect'; at: number; arrival: number; offsetSeconds: number }
  | { kind: 'out_of_order'; at: number; lastAt: number };

export interface AccumulatorOutput {
  readings: P1Reading[];
  peaks: P1MonthPeak[];
  events: P1Event[];
}

export interface AccumulatorOptions {
  /** Longest silence bridged by interpolation (default 120 s; meters send every 1 or 10 s). */
  maxGapSeconds?: number;
  /** A timestamp further ahead of arrival than this is plainly wrong (default 300 s). */
  maxAheadSeconds?: number;
  /** A timestamp further behind arrival than this is plainly wrong (default 7 days). */
  maxBehindSeconds?: number;
}

interface Point {
  at: number;
  importKwh: number;
  exportKwh: number;
}

/** Everything the accumulator needs to resume after a restart, as plain JSON. */
export interface AccumulatorState {
  last: Point | null;
  /** The latest boundary whose register values are known. */
  open: Point | null;
  /** Last reading of each M-Bus sub-meter, by kind. */
  subMeters: Partial<Record<'gas' | 'water', { at: number; value: number }>>;
  lastPeak: P1MonthPeak | null;
  clockSuspect: boolean;
}

export interface AccumulatorCounts {
  accepted: number;
  duplicates: number;
  outOfOrder: number;
  clockSuspect: number;
  unusable: number;
}

export interface QuarterHourAccumulator {
  push(telegram: P1Telegram, arrivalMs: number): AccumulatorOutput;
  state(): AccumulatorState;
  counts(): AccumulatorCounts;
}

export function emptyAccumulatorState(): AccumulatorState {
  return { last: null, open: null, subMeters: {}, lastPeak: null, clockSuspect: false };
}

/**
 * Day plus night register. Rounded to the µWh: two 3-decimal registers can add up to
 * 1234.5669999999 after 1234.567, which must not read as a register going backwards.
 */
const sum = (a: number | null, b: number | null): number | null =>
  a === null && b === null ? null : Math.round(((a ?? 0) + (b ?? 0)) * 1e6) / 1e6;

export function createQuarterHourAccumulator(
  options: AccumulatorOptions = {},
  resume: AccumulatorState = emptyAccumulatorState(),
): QuarterHourAccumulator {
  const maxGapMs = (options.maxGapSeconds ?? 120) * 1000;
  const maxAheadMs = (options.maxAheadSeconds ?? 300) * 1000;
  const maxBehindMs = (options.maxBehindSeconds ?? 7 * 86_400) * 1000;
  const s: AccumulatorState = structuredClone(resume);
  const counts: AccumulatorCounts = {
    accepted: 0,
    duplicates: 0,
    outOfOrder: 0,
    clockSuspect: 0,
    unusable: 0,
  };

  function clockIsPlausible(at: number, arrival: number, out: AccumulatorOutput): boolean {
    const offset = at - arrival;
    if (offset <= maxAheadMs && -offset <= maxBehindMs) {
      s.clockSuspect = false;
      return true;
    }
    counts.clockSuspect++;
    // One event when the clock goes wrong, not one per telegram while it stays wrong.
    if (!s.clockSuspect) {
      out.events.push({ kind: 'clock_suspect', at, arrival, offsetSeconds: offset / 1000 });
    }
    s.clockSuspect = true;
    return false;
  }

  function restartBaseline(p: Point): void {
    s.last = p;
    s.open = p.at % QUARTER_MS === 0 ? p : null;
  }

  function advance(p: Point, out: AccumulatorOutput): void {
    const last = s.last as Point;
    const span = p.at - last.at;
    for (
      let b = Math.floor(last.at / QUARTER_MS) * QUARTER_MS + QUARTER_MS;
      b <= p.at;
      b += QUARTER_MS
    ) {
      const f = (b - last.at) / span;
      const boundary: Point =
        b === p.at
          ? p
          : {
              at: b,
              importKwh: last.importKwh + (p.importKwh - last.importKwh) * f,
              exportKwh: last.exportKwh + (p.exportKwh - last.exportKwh) * f,
            };
      if (s.open) emitQuarter(s.open, boundary, out);
      s.open = boundary;
    }
    s.last = p;
  }

  function emitQuarter(from: Point, to: Point, out: AccumulatorOutput): void {
    const importKwh = to.importKwh - from.importKwh;
    const exportKwh = to.exportKwh - from.exportKwh;
    const base = { start: from.at, intervalSeconds: 900 };
    out.readings.push(
      { ...base, metric: 'electricity_consumption', value: importKwh, unit: 'kWh' },
      { ...base, metric: 'electricity_production', value: exportKwh, unit: 'kWh' },
      // Average demand over the quarter-hour: the quantity Belgium's capacity tariff bills.
      { ...base, metric: 'electricity_demand', value: importKwh * 4, unit: 'kW' },
    );
  }

  function electricity(p: Point, out: AccumulatorOutput): void {
    const last = s.last;
    if (!last) return restartBaseline(p);
    if (p.importKwh < last.importKwh || p.exportKwh < last.exportKwh) {
      const register = p.importKwh < last.importKwh ? 'import' : 'export';
      out.events.push({
        kind: 'register_reset',
        at: p.at,
        register,
        before: register === 'import' ? last.importKwh : last.exportKwh,
        after: register === 'import' ? p.importKwh : p.exportKwh,
      });
      return restartBaseline(p);
    }
    if (p.at - last.at > maxGapMs) {
      out.events.push({
        kind: 'gap',
        from: last.at,
        to: p.at,
        importKwh: p.importKwh - last.importKwh,
        exportKwh: p.exportKwh - last.exportKwh,
      });
      return restartBaseline(p);
    }
    advance(p, out);
  }

  function subMeter(
    kind: 'gas' | 'water',
    at: number,
    value: number,
    out: AccumulatorOutput,
  ): void {
    const prev = s.subMeters[kind];
    if (prev && at <= prev.at) return;
    s.subMeters[kind] = { at, value };
    if (!prev) return;
    if (value < prev.value) {
      out.events.push({
        kind: 'register_reset',
        at,
        register: kind,
        before: prev.value,
        after: value,
      });
      return;
    }
    out.readings.push({
      metric: kind === 'gas' ? 'gas_consumption' : 'water_consumption',
      start: prev.at,
      intervalSeconds: (at - prev.at) / 1000,
      value: value - prev.value,
      unit: 'm3',
    });
  }

  function monthPeak(t: P1Telegram, out: AccumulatorOutput): void {
    const mp = t.monthPeak;
    if (!mp || t.timestamp === null) return;
    const peak: P1MonthPeak = { month: localMonth(t.timestamp), at: mp.at, kw: mp.kw };
    const prev = s.lastPeak;
    if (prev && prev.month === peak.month && prev.at === peak.at && prev.kw === peak.kw) return;
    s.lastPeak = peak;
    out.peaks.push(peak);
  }

  return {
    push(t, arrivalMs) {
      const out: AccumulatorOutput = { readings: [], peaks: [], events: [] };
      const importKwh = sum(t.importT1Kwh, t.importT2Kwh);
      if (t.timestamp === null || importKwh === null) {
        counts.unusable++;
        return out;
      }
      if (!clockIsPlausible(t.timestamp, arrivalMs, out)) return out;
      const last = s.last;
      if (last && t.timestamp <= last.at) {
        if (t.timestamp === last.at) counts.duplicates++;
        else {
          counts.outOfOrder++;
          out.events.push({ kind: 'out_of_order', at: t.timestamp, lastAt: last.at });
        }
        return out;
      }
      counts.accepted++;
      const exportKwh = sum(t.exportT1Kwh, t.exportT2Kwh) ?? 0;
      electricity({ at: t.timestamp, importKwh, exportKwh }, out);
      for (const d of t.mbus) {
        const kind: MbusKind = d.kind;
        if ((kind === 'gas' || kind === 'water') && d.reading && d.reading.at !== null) {
          subMeter(kind, d.reading.at, d.reading.value, out);
        }
      }
      monthPeak(t, out);
      return out;
    },
    state: () => structuredClone(s),
    counts: () => ({ ...counts }),
  };
}
