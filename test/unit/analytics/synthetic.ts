/**
 * Synthetic half-hourly load curves with a clear daily shape, built from the local
 * calendar (so DST days have 46 or 50 intervals), for the analytics tests.
 */
import { DateTime } from 'luxon';
import type { IntervalValue } from '../../../src/analytics/anomalyTypes.js';

export const ZONE = 'Europe/Brussels';
export const STEP_SECONDS = 1800;

/** Usual power (W) of a building's common parts at a local time. */
export function usualWatts(hour: number, weekend: boolean): number {
  if (hour < 6) return 200; // night baseload
  if (hour < 9) return 600;
  if (hour < 17) return weekend ? 700 : 350;
  if (hour < 22) return 1500; // evening peak
  return 500;
}

/** Deterministic noise source (a small linear congruential generator). */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface SeriesOptions {
  firstDay: string;
  days: number;
  /** Extra watts at a given local instant, on top of the usual shape. */
  extra?: (local: DateTime) => number;
  /** Drop a whole local day. */
  skipDay?: (day: string) => boolean;
  /** Drop one interval. */
  skipInterval?: (local: DateTime) => boolean;
  /** Relative noise amplitude, default 0.05 (±5 %). */
  jitter?: number;
  /** Multiplies the usual shape (a small building: 0.05). Default 1. */
  scale?: number;
  seed?: number;
}

export function series(opts: SeriesOptions): IntervalValue[] {
  const rand = noise(opts.seed ?? 42);
  const jitter = opts.jitter ?? 0.05;
  const out: IntervalValue[] = [];
  let day = DateTime.fromISO(opts.firstDay, { zone: ZONE }).startOf('day');
  for (let d = 0; d < opts.days; d++) {
    const next = day.plus({ days: 1 });
    const skip = opts.skipDay?.(day.toISODate() as string) ?? false;
    // Walk real elapsed time, never local wall-clock arithmetic.
    for (let t = day.toMillis(); t < next.toMillis(); t += STEP_SECONDS * 1000) {
      const local = DateTime.fromMillis(t, { zone: ZONE });
      const r = rand();
      if (skip || opts.skipInterval?.(local)) continue;
      const watts =
        usualWatts(local.hour, local.weekday >= 6) *
          (opts.scale ?? 1) *
          (1 + (r * 2 - 1) * jitter) +
        (opts.extra?.(local) ?? 0);
      out.push({
        timestamp: new Date(t),
        intervalSeconds: STEP_SECONDS,
        value: (watts * 0.5) / 1000,
      });
    }
    day = next;
  }
  return out;
}

export function at(localIso: string): Date {
  return DateTime.fromISO(localIso, { zone: ZONE }).toJSDate();
}
