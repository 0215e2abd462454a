/**
 * The simulated meters' load: a pure, deterministic function of the meter and the time.
 *
 * The shape is a building's common parts / apartment block: a night baseload (ventilation,
 * lighting, lifts on standby), morning and evening peaks, a daytime plateau, more on
 * weekends in the day, electric heating in winter. It is computed in local time
 * (Europe/Paris and Brussels share their rules) so DST days have the right shape.
 *
 * The value returned is the integer the API serves: Enedis rounds average power to whole W;
 * for ORES the power is rounded so that the energy of the interval is a whole Wh. Tests can
 * therefore recompute the exact kWh the tool should have stored.
 */
import type { ProviderName } from './providerNames.js';
import { localParts } from './euTime.js';
import { unitHash } from './prng.js';
import { type RealisticMeter, realisticPowerW } from './realisticLoad.js';

export type AnomalyKind = 'evening_spike' | 'night_baseload' | 'stuck_heater';

/** One injected anomaly, the ground truth that detection is measured against. */
export interface GroundTruthAnomaly {
  kind: AnomalyKind;
  /** UTC ISO instants; the anomaly covers [start, end[. */
  start: string;
  end: string;
  /**
   * Multiplier of the load: evening_spike multiplies the whole load, night_baseload the load
   * between 00:00 and 06:00 local on each night of the range. stuck_heater: 1 (see addedW).
   */
  factor: number;
  /** stuck_heater: constant power added, W. */
  addedW?: number;
}

export interface SimMeter {
  prm: string;
  provider: ProviderName;
  seed: number;
  /** Step of the load curve, minutes (30 by default, 15 for some meters). */
  stepMinutes: number;
  /** From `at` (a local midnight) on, the meter records at another step. */
  stepChange?: { at: Date; stepMinutes: number };
  /** First instant with data (a local midnight). */
  activationDate: Date;
  anomalies: GroundTruthAnomaly[];
  /** Peak of a rooftop PV installation, W; 0 for meters without production. */
  solarPeakW: number;
  /**
   * When set, the consumption follows this realistic model (its own noise, holidays and
   * faults) instead of the default shape; `anomalies` is then not used.
   */
  realistic?: RealisticMeter;
}

export interface Interval {
  startMs: number;
  stepMinutes: number;
}

const MINUTE = 60_000;
/** Local hours counted as night for the night_baseload anomaly. */
export const NIGHT_END_HOUR = 6;

interface Profile {
  baseW: number;
  morningW: number;
  eveningW: number;
  dayW: number;
  heatW: number;
  eveningCentre: number;
}

const profiles = new Map<number, Profile>();

function profileOf(seed: number): Profile {
  let p = profiles.get(seed);
  if (!p) {
    const scale = 0.7 + 0.9 * unitHash(seed, 1);
    p = {
      baseW: 500 * scale,
      morningW: 1200 * scale * (0.8 + 0.4 * unitHash(seed, 2)),
      eveningW: 2200 * scale * (0.8 + 0.4 * unitHash(seed, 3)),
      dayW: 500 * scale,
      heatW: 1500 * scale * (0.3 + 0.7 * unitHash(seed, 4)),
      eveningCentre: 19 + unitHash(seed, 5),
    };
    profiles.set(seed, p);
  }
  return p;
}

interface ParsedAnomaly {
  kind: AnomalyKind;
  from: number;
  to: number;
  factor: number;
  addedW: number;
}

const parsedCache = new WeakMap<GroundTruthAnomaly[], ParsedAnomaly[]>();

function parsedAnomalies(list: GroundTruthAnomaly[]): ParsedAnomaly[] {
  let parsed = parsedCache.get(list);
  if (!parsed) {
    parsed = list.map((a) => ({
      kind: a.kind,
      from: Date.parse(a.start),
      to: Date.parse(a.end),
      factor: a.factor,
      addedW: a.addedW ?? 0,
    }));
    parsedCache.set(list, parsed);
  }
  return parsed;
}

const gauss = (h: number, centre: number, sd: number): number =>
  Math.exp(-((h - centre) ** 2) / (2 * sd * sd));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** 1 in mid-January, 0 in mid-July. */
function winterness(dayOfYear: number): number {
  return (1 + Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365.25)) / 2;
}

/** Rounding step in W so that ORES energies are whole Wh (Enedis: whole W). */
function wattGranularity(provider: ProviderName, stepMinutes: number): number {
  if (provider !== 'ores') return 1;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  return 60 / gcd(60, stepMinutes);
}

function roundTo(w: number, g: number): number {
  return Math.round(w / g) * g;
}

const toMs = (t: Date | number): number => (typeof t === 'number' ? t : t.getTime());

/** Step in force for an interval starting at this instant. */
export function stepMinutesAt(meter: SimMeter, t: Date | number): number {
  const change = meter.stepChange;
  return change && toMs(t) >= change.at.getTime() ? change.stepMinutes : meter.stepMinutes;
}

/** Average consumed power over [start, start + step[, in W, as the provider serves it. */
export function meterPowerW(
  meter: SimMeter,
  intervalStartUtc: Date | number,
  stepMinutes: number,
): number {
  const startMs = toMs(intervalStartUtc);
  if (meter.realistic) {
    const g = wattGranularity(meter.provider, stepMinutes);
    return Math.max(g, roundTo(realisticPowerW(meter.realistic, startMs, stepMinutes), g));
  }
  const mid = startMs + (stepMinutes * MINUTE) / 2;
  const lp = localParts(mid);
  const p = profileOf(meter.seed);
  const h = lp.hourOfDay;
  const winter = winterness(lp.dayOfYear);
  const weekend = lp.weekday >= 6;

  const base = p.baseW * (0.8 + 0.5 * winter);
  const morning = p.morningW * (weekend ? 0.55 : 1) * gauss(h, weekend ? 9.5 : 7.5, 0.8);
  const evening = p.eveningW * (weekend ? 1.1 : 1) * gauss(h, p.eveningCentre, 1.4);
  const daytime = p.dayW * (weekend ? 1.3 : 1) * sigmoid((h - 8.5) * 2) * sigmoid((17.5 - h) * 2);
  const heating = p.heatW * winter * winter * (h >= 6 && h < 23 ? 1 : 0.25);
  const dayFactor = 0.92 + 0.16 * unitHash(meter.seed, lp.year, lp.dayOfYear);
  const noise = 0.95 + 0.1 * unitHash(meter.seed, startMs);
  let w = (base + morning + evening + daytime + heating) * dayFactor * noise;

  for (const a of parsedAnomalies(meter.anomalies)) {
    if (mid < a.from || mid >= a.to) continue;
    if (a.kind === 'evening_spike') w *= a.factor;
    else if (a.kind === 'night_baseload') {
      if (h < NIGHT_END_HOUR) w *= a.factor;
    } else w += a.addedW;
  }
  const g = wattGranularity(meter.provider, stepMinutes);
  return Math.max(g, roundTo(w, g));
}

/** Average produced power (rooftop PV) over the interval, W; 0 for most meters. */
export function meterProductionW(
  meter: SimMeter,
  intervalStartUtc: Date | number,
  stepMinutes: number,
): number {
  if (meter.solarPeakW <= 0) return 0;
  const startMs = toMs(intervalStartUtc);
  const lp = localParts(startMs + (stepMinutes * MINUTE) / 2);
  const summer = 1 - winterness(lp.dayOfYear);
  const halfDay = 4 + 3.5 * summer;
  const x = (lp.hourOfDay - 13.5) / halfDay;
  if (Math.abs(x) >= 1) return 0;
  const cloud = 0.3 + 0.7 * unitHash(meter.seed, lp.year, lp.dayOfYear, 7);
  const w = meter.solarPeakW * Math.cos((Math.PI * x) / 2) * (0.35 + 0.65 * summer) * cloud;
  return roundTo(w, wattGranularity(meter.provider, stepMinutes));
}

/** kWh of an interval from its average power: W × minutes / 60 / 1000. */
export function wattsToKwh(watts: number, stepMinutes: number): number {
  return (watts * stepMinutes) / 60 / 1000;
}

/** Consumed energy of one interval, kWh, exactly as the served value implies. */
export function intervalKwh(
  meter: SimMeter,
  intervalStartUtc: Date | number,
  stepMinutes: number,
): number {
  return wattsToKwh(meterPowerW(meter, intervalStartUtc, stepMinutes), stepMinutes);
}

/**
 * The meter's intervals starting in [fromMs, toMs[ and not before its activation, aligned
 * on their step (local and UTC hours coincide in these zones, so UTC alignment is local).
 */
export function meterIntervals(meter: SimMeter, fromMs: number, toMs: number): Interval[] {
  const out: Interval[] = [];
  let t = Math.max(fromMs, meter.activationDate.getTime());
  while (t < toMs) {
    const step = stepMinutesAt(meter, t);
    const stepMs = step * MINUTE;
    const aligned = Math.ceil(t / stepMs) * stepMs;
    if (aligned !== t) {
      t = aligned;
      continue;
    }
    if (t + stepMs > toMs) break;
    out.push({ startMs: t, stepMinutes: step });
    t += stepMs;
  }
  return out;
}
