/**
 * A load that behaves like a real building's, for measuring detectors honestly: the shape
 * depends on the kind of building (residential common parts, or an office), each day has
 * its own level (weather, occupancy), each interval its own noise, heating follows the
 * season and cold spells, offices close on public holidays and in August, residences empty
 * in summer. Faults (subtle and gross spikes, doubled night baseload, a lasting level shift)
 * are drawn from the meter's seed (realisticFaults.ts) and returned as ground truth.
 *
 * Everything is a pure function of the seed and the time: the same seed replays the same
 * load. Local time is Europe/Brussels (Paris has the same rules), so DST days have 46 or
 * 50 half-hours and the right shape.
 */
import { addDays, localDay, localParts } from './euTime.js';
import { hashInts, unitHash } from './prng.js';

export type BuildingKind = 'residential' | 'office';

export type RealisticFaultKind = 'spike' | 'night_baseload' | 'level_shift';

/** One injected fault: the ground truth a detector is scored against. */
export interface RealisticFault {
  kind: RealisticFaultKind;
  /** UTC instants, [startMs, endMs). */
  startMs: number;
  endMs: number;
  /** spike: multiplies the load; night_baseload: multiplies the 00:00–06:00 load. */
  factor: number;
  /** level_shift: constant power added, W. */
  addedW: number;
}

export interface RealisticMeter {
  seed: number;
  kind: BuildingKind;
  /** Standard deviation of the day-to-day level, as a share (0.15: 15 %). */
  dayVariation: number;
  /** Standard deviation of one interval's noise, as a share. */
  intervalNoise: number;
  /** Local days closed (office) or emptied (residence): lower load, never a fault. */
  holidays: ReadonlySet<string>;
  faults: RealisticFault[];
  /** Typical night power, W, and the shape's scale. */
  baseW: number;
  peakW: number;
  heatW: number;
}

const gauss = (h: number, centre: number, sd: number): number =>
  Math.exp(-((h - centre) ** 2) / (2 * sd * sd));
const step = (h: number, from: number, to: number): number =>
  1 / (1 + Math.exp(-(h - from) * 3)) / (1 + Math.exp((h - to) * 3));

/** A standard normal number from two hashes (Box–Muller), deterministic per inputs. */
export function normalHash(...inputs: number[]): number {
  const u = Math.max(1e-12, unitHash(...inputs, 1));
  const v = unitHash(...inputs, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Days since 1970-01-01 of a local day (calendar arithmetic). */
function dayIndex(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 86_400_000;
}

/**
 * Outdoor temperature of a local day, °C: a seasonal wave (Brussels-like, 3 °C in January,
 * 18 °C in July), day-to-day weather, and cold spells of about a week in winter.
 */
export function temperatureC(seed: number, day: string, dayOfYear: number): number {
  const seasonal = 10.5 - 7.5 * Math.cos((2 * Math.PI * (dayOfYear - 20)) / 365.25);
  const weather = 2 * normalHash(seed, dayIndex(day), 31);
  const week = Math.floor(dayIndex(day) / 7);
  const winter = dayOfYear < 75 || dayOfYear > 320;
  const spell = winter && unitHash(seed, week, 37) < 0.2 ? -6 : 0;
  return seasonal + weather + spell;
}

/** Heating demand, 0..1: nothing above 15 °C, full at −5 °C. */
function heatingShare(temperature: number): number {
  return Math.min(1, Math.max(0, (15 - temperature) / 20));
}

/** Usual power before noise and heating, W, by kind, local hour and kind of day. */
function shapeW(m: RealisticMeter, h: number, weekday: number, closed: boolean): number {
  if (m.kind === 'office') {
    const open = !closed && weekday <= 5;
    const saturday = !closed && weekday === 6;
    const occupied = open ? step(h, 7.5, 18.5) * (1 - 0.15 * gauss(h, 12.5, 0.6)) : 0;
    return m.baseW + m.peakW * occupied + (saturday ? 0.2 * m.peakW * step(h, 9, 13) : 0);
  }
  // Residential common parts: ventilation and standby at night, hall lighting and lifts
  // morning and evening; later mornings at the weekend, less traffic when people are away.
  const weekend = weekday >= 6;
  const presence = closed ? 0.45 : 1;
  const morning = 0.5 * gauss(h, weekend ? 9.5 : 7.5, 0.9);
  const evening = gauss(h, 19.5, 1.6);
  const day = 0.25 * step(h, 8, 17);
  return m.baseW + m.peakW * presence * (morning + evening + day);
}

/** Heating's share of the day by hour: offices heat when open, residences 06:00–23:00. */
function heatingHours(m: RealisticMeter, h: number, weekday: number, closed: boolean): number {
  if (m.kind === 'office') return !closed && weekday <= 5 ? 0.2 + 0.8 * step(h, 6, 18) : 0.2;
  return h >= 6 && h < 23 ? 1 : 0.35;
}

/** Level of a local day around 1: its own weather, occupancy and habits. */
export function dayLevel(m: RealisticMeter, day: string): number {
  return Math.max(0.3, 1 + m.dayVariation * normalHash(m.seed, dayIndex(day), 41));
}

/** Average power over [startMs, startMs + step), W, before rounding. */
export function realisticPowerW(m: RealisticMeter, startMs: number, stepMinutes: number): number {
  const mid = startMs + stepMinutes * 30_000;
  const lp = localParts(mid);
  const day = localDay(mid);
  const h = lp.hourOfDay;
  const closed = m.holidays.has(day);
  const heat =
    m.heatW *
    heatingShare(temperatureC(m.seed, day, lp.dayOfYear)) *
    heatingHours(m, h, lp.weekday, closed);
  const noise = Math.max(0.2, 1 + m.intervalNoise * normalHash(m.seed, startMs, 43));
  let w = (shapeW(m, h, lp.weekday, closed) + heat) * dayLevel(m, day) * noise;
  for (const f of m.faults) {
    if (mid < f.startMs || mid >= f.endMs) continue;
    if (f.kind === 'spike') w *= f.factor;
    else if (f.kind === 'night_baseload') {
      if (h < 6) w *= f.factor;
    } else w += f.addedW;
  }
  return Math.max(1, Math.round(w));
}

/** Public holidays fixed in the calendar (Belgium): 1 Jan, 1 May, 21 Jul, 15 Aug, 1 and 11 Nov, 25 Dec. */
const FIXED_HOLIDAYS = ['01-01', '05-01', '07-21', '08-15', '11-01', '11-11', '12-25'];

/**
 * Closed or emptied days over [firstDay, lastDay]: offices close on public holidays,
 * between Christmas and New Year and for two weeks in August; residences empty for two
 * to three weeks in July or August.
 */
export function holidaysOf(
  seed: number,
  kind: BuildingKind,
  firstDay: string,
  lastDay: string,
): Set<string> {
  const out = new Set<string>();
  for (let d = firstDay; d <= lastDay; d = addDays(d, 1)) {
    const md = d.slice(5);
    const year = Number(d.slice(0, 4));
    if (kind === 'office') {
      if (FIXED_HOLIDAYS.includes(md) || md >= '12-24' || md === '01-02') out.add(d);
      const augustStart = 3 + (hashInts(seed, year, 51) % 10);
      const dom = Number(d.slice(8));
      if (d.slice(5, 7) === '08' && dom >= augustStart && dom < augustStart + 14) out.add(d);
    } else {
      const start = 182 + (hashInts(seed, year, 53) % 40);
      const length = 14 + (hashInts(seed, year, 57) % 8);
      const doy = dayIndex(d) - dayIndex(`${year}-01-01`) + 1;
      if (doy >= start && doy < start + length) out.add(d);
    }
  }
  return out;
}
