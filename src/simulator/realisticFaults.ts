/**
 * Realistic meters: the faults injected into a realistic load (realisticLoad.ts), the gaps
 * in what the meter reports, and the readings a detector is given. The noise and the mix of
 * faults are parameters; the same seed and parameters give the same meter.
 */
import { addDays, localDay, localDayStartUtc, localWallToUtc } from './euTime.js';
import { createPrng, hashInts, type Prng } from './prng.js';
import {
  type BuildingKind,
  type RealisticFault,
  type RealisticMeter,
  holidaysOf,
  realisticPowerW,
} from './realisticLoad.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface FaultMix {
  /** Spikes per meter-year, and the factors they are drawn from (×1.5 subtle, ×2.5 gross). */
  spikesPerYear: number;
  spikeFactors: readonly number[];
  /** Spike length in hours, [min, max]. */
  spikeHours: readonly [number, number];
  /** Runs of doubled night load (3 to 7 nights) per meter-year. */
  nightBaseloadsPerYear: number;
  /** Lasting level shifts per meter-year (a device left on for good): W added, [min, max]. */
  levelShiftsPerYear: number;
  levelShiftW: readonly [number, number];
}

export const DEFAULT_FAULT_MIX: FaultMix = {
  spikesPerYear: 6,
  spikeFactors: [1.5, 1.8, 2.5],
  spikeHours: [2, 5],
  nightBaseloadsPerYear: 2,
  levelShiftsPerYear: 1,
  levelShiftW: [400, 1200],
};

export interface RealisticOptions {
  seed: number;
  kind?: BuildingKind;
  /** Day-to-day standard deviation, share. Default 0.15. */
  dayVariation?: number;
  /** Interval noise standard deviation, share. Default 0.15. */
  intervalNoise?: number;
  faults?: Partial<FaultMix>;
  /** Step of the load curve, minutes. Default 30. */
  stepMinutes?: number;
  /** Data starts at this local day (its midnight) and ends before `lastDay + 1`. */
  firstDay: string;
  lastDay: string;
  /** Faults only after this many days, so a baseline exists. Default 42. */
  warmupDays?: number;
  /** Missing whole days and half days per year. Default 4 and 4. */
  missingDaysPerYear?: number;
  partialDaysPerYear?: number;
}

export interface RealisticCase {
  meter: RealisticMeter;
  stepMinutes: number;
  firstDay: string;
  lastDay: string;
  /** Local days without readings, and days cut at noon. */
  missingDays: Set<string>;
  partialDays: Set<string>;
}

/** A span of days free of other faults and gaps, with a margin. */
class Calendar {
  private readonly taken: [number, number][] = [];
  constructor(private readonly marginMs: number) {}
  tryTake(from: number, to: number): boolean {
    const a = from - this.marginMs;
    const b = to + this.marginMs;
    if (this.taken.some(([f, t]) => a < t && b > f)) return false;
    this.taken.push([from, to]);
    return true;
  }
}

function pick<T>(rng: Prng, list: readonly T[]): T {
  return list[rng.int(0, list.length - 1)] as T;
}

function drawFault(
  kind: RealisticFault['kind'],
  mix: FaultMix,
  rng: Prng,
  day: string,
  endMs: number,
): RealisticFault {
  if (kind === 'spike') {
    const startMs = localWallToUtc(day, rng.int(7, 20));
    const hours = rng.int(mix.spikeHours[0], mix.spikeHours[1]);
    return {
      kind,
      startMs,
      endMs: startMs + hours * HOUR,
      factor: pick(rng, mix.spikeFactors),
      addedW: 0,
    };
  }
  if (kind === 'night_baseload') {
    const nights = rng.int(3, 7);
    return {
      kind,
      startMs: localWallToUtc(day, 0),
      endMs: localWallToUtc(addDays(day, nights - 1), 6),
      factor: 2,
      addedW: 0,
    };
  }
  const addedW = rng.int(mix.levelShiftW[0] / 100, mix.levelShiftW[1] / 100) * 100;
  return { kind, startMs: localWallToUtc(day, rng.int(8, 18)), endMs, factor: 1, addedW };
}

/** Draws the faults: a level shift lasts to the end of the data; nothing overlaps. */
function drawFaults(opts: RealisticOptions, mix: FaultMix, calendar: Calendar): RealisticFault[] {
  const rng = createPrng(hashInts(opts.seed, 0xfa17));
  const first = addDays(opts.firstDay, opts.warmupDays ?? 42);
  const endMs = localDayStartUtc(addDays(opts.lastDay, 1));
  const span = Math.floor((endMs - localDayStartUtc(first)) / DAY) - 9;
  if (span < 14) return [];
  const years = span / 365;
  const count = (perYear: number): number => {
    const n = perYear * years;
    return Math.floor(n) + (rng.next() < n - Math.floor(n) ? 1 : 0);
  };
  const out: RealisticFault[] = [];
  // The level shift first, late in the data, so the faults before it are scored on the usual load.
  const plan: RealisticFault['kind'][] = [
    ...Array<RealisticFault['kind']>(count(mix.levelShiftsPerYear)).fill('level_shift'),
    ...Array<RealisticFault['kind']>(count(mix.nightBaseloadsPerYear)).fill('night_baseload'),
    ...Array<RealisticFault['kind']>(count(mix.spikesPerYear)).fill('spike'),
  ];
  let shiftFrom = endMs;
  for (const kind of plan) {
    for (let attempt = 0; attempt < 60; attempt++) {
      const lo = kind === 'level_shift' ? Math.floor(span * 0.6) : 0;
      const day = addDays(first, rng.int(lo, span));
      const f = drawFault(kind, mix, rng, day, endMs);
      if (kind !== 'level_shift' && f.endMs + 3 * DAY > shiftFrom) continue;
      // A level shift blocks only its first three weeks (while it becomes the new normal).
      const blockEnd = kind === 'level_shift' ? f.startMs + 21 * DAY : f.endMs;
      if (!calendar.tryTake(f.startMs, blockEnd)) continue;
      if (kind === 'level_shift') shiftFrom = f.startMs;
      out.push(f);
      break;
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** A realistic meter with its faults, holidays and gaps. */
export function createRealisticCase(opts: RealisticOptions): RealisticCase {
  const kind = opts.kind ?? (hashInts(opts.seed, 3) % 2 === 0 ? 'residential' : 'office');
  const mix: FaultMix = { ...DEFAULT_FAULT_MIX, ...opts.faults };
  const rng = createPrng(hashInts(opts.seed, 0x5ca1e));
  const scale = 0.6 + 0.9 * rng.next();
  const calendar = new Calendar(3 * DAY);
  const holidays = holidaysOf(opts.seed, kind, opts.firstDay, opts.lastDay);
  // Holidays are blocked for faults: a fault during a closure is a different question.
  for (const d of holidays) calendar.tryTake(localDayStartUtc(d), localDayStartUtc(d) + DAY);
  const faults = drawFaults(opts, mix, calendar);
  const meter: RealisticMeter = {
    seed: opts.seed,
    kind,
    dayVariation: opts.dayVariation ?? 0.15,
    intervalNoise: opts.intervalNoise ?? 0.15,
    holidays,
    faults,
    baseW: (kind === 'office' ? 700 : 450) * scale,
    peakW: (kind === 'office' ? 2600 : 1500) * scale,
    heatW: (kind === 'office' ? 3000 : 1200) * scale * (0.5 + rng.next()),
  };
  const missingDays = new Set<string>();
  const partialDays = new Set<string>();
  const totalDays = Math.round(
    (localDayStartUtc(opts.lastDay) - localDayStartUtc(opts.firstDay)) / DAY,
  );
  const years = totalDays / 365;
  const gaps = (perYear: number, into: Set<string>): void => {
    for (let i = 0; i < Math.round(perYear * years); i++) {
      for (let attempt = 0; attempt < 30; attempt++) {
        const d = addDays(opts.firstDay, rng.int(7, totalDays - 1));
        if (!calendar.tryTake(localDayStartUtc(d), localDayStartUtc(d) + DAY)) continue;
        into.add(d);
        break;
      }
    }
  };
  gaps(opts.missingDaysPerYear ?? 4, missingDays);
  gaps(opts.partialDaysPerYear ?? 4, partialDays);
  return {
    meter,
    stepMinutes: opts.stepMinutes ?? 30,
    firstDay: opts.firstDay,
    lastDay: opts.lastDay,
    missingDays,
    partialDays,
  };
}

export interface RealisticReading {
  timestamp: Date;
  intervalSeconds: number;
  /** kWh over the interval. */
  value: number;
}

/** The readings the meter reports: every interval of the data span, less the gaps. */
export function realisticReadings(c: RealisticCase): RealisticReading[] {
  const out: RealisticReading[] = [];
  const stepMs = c.stepMinutes * 60_000;
  const end = localDayStartUtc(addDays(c.lastDay, 1));
  for (let t = localDayStartUtc(c.firstDay); t < end; t += stepMs) {
    const day = localDay(t);
    if (c.missingDays.has(day)) continue;
    if (c.partialDays.has(day) && t >= localDayStartUtc(day) + 12 * HOUR) continue;
    const w = realisticPowerW(c.meter, t, c.stepMinutes);
    out.push({
      timestamp: new Date(t),
      intervalSeconds: c.stepMinutes * 60,
      value: (w * c.stepMinutes) / 60_000,
    });
  }
  return out;
}
