/**
 * Injected anomalies, drawn once per meter from its seed over its history. Few per year
 * (about two evening spikes, one leak-like night baseload, one stuck heater), never
 * overlapping, and not in the first four weeks so detectors have a clean baseline.
 */
import type { AnomalyKind, GroundTruthAnomaly } from './loadModel.js';
import { addDays, localDay, localWallToUtc } from './euTime.js';
import { createPrng, hashInts, type Prng } from './prng.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Clean weeks at the start of the history, for baselines. */
const WARMUP_DAYS = 28;
/** Keep this many days around each anomaly free of others. */
const GAP_DAYS = 3;
const PER_YEAR: Record<AnomalyKind, number> = {
  evening_spike: 2,
  night_baseload: 1,
  stuck_heater: 1,
};

function draw(kind: AnomalyKind, rng: Prng, day: string): GroundTruthAnomaly {
  switch (kind) {
    case 'evening_spike': {
      const start = localWallToUtc(day, rng.int(18, 19));
      const hours = rng.int(2, 4);
      return {
        kind,
        start: new Date(start).toISOString(),
        end: new Date(start + hours * HOUR).toISOString(),
        factor: Math.round((2 + rng.next()) * 10) / 10,
      };
    }
    case 'night_baseload': {
      const nights = rng.int(3, 7);
      return {
        kind,
        start: new Date(localWallToUtc(day, 0)).toISOString(),
        end: new Date(localWallToUtc(addDays(day, nights - 1), 6)).toISOString(),
        factor: 2,
      };
    }
    case 'stuck_heater': {
      const start = localWallToUtc(day, rng.int(8, 20));
      const days = rng.int(1, 3);
      return {
        kind,
        start: new Date(start).toISOString(),
        end: new Date(start + days * DAY).toISOString(),
        factor: 1,
        addedW: rng.int(20, 30) * 100,
      };
    }
  }
}

/**
 * Anomalies for a meter whose data spans [fromMs, toMs[ (history start to the last served
 * day). Sorted by start.
 */
export function generateAnomalies(
  seed: number,
  fromMs: number,
  toMs: number,
): GroundTruthAnomaly[] {
  const firstMs = fromMs + WARMUP_DAYS * DAY;
  // Leave room for the longest anomaly (7 nights) before the end of the served data.
  const lastMs = toMs - 9 * DAY;
  const spanDays = Math.floor((lastMs - firstMs) / DAY);
  if (spanDays < 14) return [];
  const rng = createPrng(hashInts(seed, 0xa11e));
  const years = spanDays / 365;
  const taken: Array<[number, number]> = [];
  const out: GroundTruthAnomaly[] = [];
  for (const kind of Object.keys(PER_YEAR) as AnomalyKind[]) {
    const count = Math.max(spanDays >= 90 ? 1 : 0, Math.round(years * PER_YEAR[kind]));
    for (let i = 0; i < count; i++) {
      for (let attempt = 0; attempt < 50; attempt++) {
        const day = localDay(firstMs + rng.int(0, spanDays) * DAY);
        const a = draw(kind, rng, day);
        const from = Date.parse(a.start) - GAP_DAYS * DAY;
        const to = Date.parse(a.end) + GAP_DAYS * DAY;
        if (taken.some(([f, t]) => from < t && to > f)) continue;
        taken.push([from, to]);
        out.push(a);
        break;
      }
    }
  }
  return out.sort((a, b) => a.start.localeCompare(b.start));
}
