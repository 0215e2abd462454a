/**
 * A simulated Belgian digital meter (Fluvius e-MUCS 1.7.1 layout): a household or small
 * building load, rooftop PV in daytime, day/night tariff registers, quarter-hour demand and
 * the month's peak, and a gas meter read every 5 minutes. Deterministic for a seed.
 *
 * Registers are kept in whole Wh (their resolution on the P1 port) with the fraction
 * carried, so what a telegram says is exactly what the meter holds.
 */
import { beNlOffsetHours, localMonth } from '../../providers/p1/p1Time.js';
import { emptyTelegram } from '../../providers/p1/obisLines.js';
import type { P1Telegram, PeakRecord } from '../../providers/p1/types.js';
import { createPrng, type Prng } from '../prng.js';

const QUARTER_MS = 900_000;
const GAS_STEP_MS = 300_000;

export interface MeterModelOptions {
  seed?: number;
  /** Decoded equipment id (sent hex-encoded). */
  equipmentId?: string;
  /** Peak PV power in kW (0: no injection). */
  pvKw?: number;
  /** Average load in kW. */
  baseLoadKw?: number;
  gas?: boolean;
}

export interface RegisterSnapshot {
  at: number;
  importT1Kwh: number;
  importT2Kwh: number;
  exportT1Kwh: number;
  exportT2Kwh: number;
  gasM3: number | null;
}

/** Belgian tariff: 1 (day) 07:00–22:00 on weekdays, 2 (night) otherwise and at weekends. */
export function belgianTariff(utcMs: number): 1 | 2 {
  const local = new Date(utcMs + beNlOffsetHours(utcMs) * 3_600_000);
  const day = local.getUTCDay();
  const hour = local.getUTCHours();
  return day !== 0 && day !== 6 && hour >= 7 && hour < 22 ? 1 : 2;
}

function localHour(utcMs: number): number {
  const local = new Date(utcMs + beNlOffsetHours(utcMs) * 3_600_000);
  return local.getUTCHours() + local.getUTCMinutes() / 60 + local.getUTCSeconds() / 3600;
}

/** Load in kW at a local hour: night base, morning and evening peaks, some noise. */
function loadKw(hour: number, base: number, prng: Prng): number {
  const morning = Math.exp(-((hour - 7.5) ** 2) / 1.5);
  const evening = Math.exp(-((hour - 19) ** 2) / 3);
  const shape = 0.45 + 1.2 * morning + 1.8 * evening;
  return Math.max(0.05, base * shape * (0.8 + 0.4 * prng.next()));
}

function pvKw(hour: number, peak: number, prng: Prng): number {
  if (hour < 7 || hour > 19) return 0;
  const clouds = 0.7 + 0.3 * prng.next();
  return peak * Math.sin((Math.PI * (hour - 7)) / 12) ** 2 * clouds;
}

export interface MeterModel {
  /** Advances the meter to an instant (whole seconds, increasing) and returns its telegram. */
  telegramAt(at: number): P1Telegram;
  registers(): RegisterSnapshot;
}

export function createMeterModel(start: number, opts: MeterModelOptions = {}): MeterModel {
  const prng = createPrng(opts.seed ?? 1);
  const base = opts.baseLoadKw ?? 0.6;
  const pvPeak = opts.pvKw ?? 4;
  const wh = { i1: 1_234_567, i2: 2_345_678, e1: 345_678, e2: 45_678 };
  const carry = { imp: 0, exp: 0 };
  let gasDm3 = opts.gas === false ? null : 4_567_891;
  let gasReading: { at: number; dm3: number } | null =
    gasDm3 === null ? null : { at: Math.floor(start / GAS_STEP_MS) * GAS_STEP_MS, dm3: gasDm3 };
  let last = start;
  let quarterStartWh = wh.i1 + wh.i2;
  let quarterStart = Math.floor(start / QUARTER_MS) * QUARTER_MS;
  let monthPeak: PeakRecord = { closedAt: null, at: null, kw: 0 };
  let month = localMonth(start);
  const history: PeakRecord[] = [];

  function closeQuarter(boundary: number): void {
    const kw = ((wh.i1 + wh.i2 - quarterStartWh) / 1000) * 4;
    const m = localMonth(boundary - 1);
    if (m !== month) {
      history.push({ ...monthPeak, closedAt: closedAtOf(boundary - 1) });
      if (history.length > 13) history.shift();
      monthPeak = { closedAt: null, at: null, kw: 0 };
      month = m;
    }
    if (kw > monthPeak.kw)
      monthPeak = { closedAt: null, at: boundary, kw: Math.round(kw * 1000) / 1000 };
    quarterStartWh = wh.i1 + wh.i2;
    quarterStart = boundary;
  }

  function advance(to: number): void {
    while (last < to) {
      const stepEnd = Math.min(to, last + 1000);
      const hour = localHour(last);
      const net = loadKw(hour, base, prng) - pvKw(hour, pvPeak, prng);
      const hours = (stepEnd - last) / 3_600_000;
      const tariff = belgianTariff(last);
      if (net >= 0) carry.imp += net * hours * 1000;
      else carry.exp += -net * hours * 1000;
      const imp = Math.floor(carry.imp);
      const exp = Math.floor(carry.exp);
      carry.imp -= imp;
      carry.exp -= exp;
      if (tariff === 1) {
        wh.i1 += imp;
        wh.e1 += exp;
      } else {
        wh.i2 += imp;
        wh.e2 += exp;
      }
      if (gasDm3 !== null) gasDm3 += Math.floor(prng.next() * (hour < 7 || hour > 21 ? 1 : 3));
      last = stepEnd;
      if (last % QUARTER_MS === 0 || last - quarterStart >= QUARTER_MS) {
        closeQuarter(Math.floor(last / QUARTER_MS) * QUARTER_MS);
      }
      if (gasDm3 !== null && last % GAS_STEP_MS === 0) gasReading = { at: last, dm3: gasDm3 };
    }
  }

  return {
    telegramAt(at) {
      advance(at);
      const t = emptyTelegram('FLU5\\253769484_A', 'BE');
      t.version = '50217';
      t.equipmentId = opts.equipmentId ?? '1SAG1100042718';
      t.timestamp = at;
      t.importT1Kwh = wh.i1 / 1000;
      t.importT2Kwh = wh.i2 / 1000;
      t.exportT1Kwh = wh.e1 / 1000;
      t.exportT2Kwh = wh.e2 / 1000;
      t.tariff = belgianTariff(at);
      t.tariffPeriod = t.tariff === 1 ? 'day' : 'night';
      const elapsedH = Math.max(1, at - quarterStart) / 3_600_000;
      t.demandKw = Math.round(((wh.i1 + wh.i2 - quarterStartWh) / 1000 / elapsedH) * 1000) / 1000;
      t.monthPeak = { ...monthPeak };
      t.peakHistory = history.map((p) => ({ ...p }));
      const hour = localHour(at);
      const net = loadKw(hour, base, prng) - pvKw(hour, pvPeak, prng);
      t.powerImportKw = Math.round(Math.max(0, net) * 1000) / 1000;
      t.powerExportKw = Math.round(Math.max(0, -net) * 1000) / 1000;
      // Three phases sharing the load unevenly, as in a building with single-phase circuits.
      for (const [phase, share] of [
        [t.l1, 0.5],
        [t.l2, 0.3],
        [t.l3, 0.2],
      ] as const) {
        phase.voltageV = Math.round((230 + 6 * prng.next()) * 10) / 10;
        phase.currentA = Math.round(((Math.abs(net) * share * 1000) / 230) * 100) / 100;
        phase.powerImportKw = Math.round(Math.max(0, net) * share * 1000) / 1000;
        phase.powerExportKw = Math.round(Math.max(0, -net) * share * 1000) / 1000;
      }
      if (gasReading) {
        t.mbus.push({
          channel: 1,
          deviceType: 3,
          kind: 'gas',
          equipmentId: '7FLO2119033733',
          reading: { at: gasReading.at, value: gasReading.dm3 / 1000, unit: 'm3' },
        });
      }
      return t;
    },
    registers() {
      return {
        at: last,
        importT1Kwh: wh.i1 / 1000,
        importT2Kwh: wh.i2 / 1000,
        exportT1Kwh: wh.e1 / 1000,
        exportT2Kwh: wh.e2 / 1000,
        gasM3: gasDm3 === null ? null : gasDm3 / 1000,
      };
    },
  };
}

/** The UTC instant the local month containing an instant starts. */
function closedAtOf(utcMs: number): number {
  const offset = beNlOffsetHours(utcMs) * 3_600_000;
  const local = new Date(utcMs + offset);
  const wall = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1);
  // Local midnight on the 1st is never in a DST change (changes happen at 02:00/03:00).
  return wall - beNlOffsetHours(wall - 2 * 3_600_000) * 3_600_000;
}
