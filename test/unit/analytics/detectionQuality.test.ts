/**
 * Detection quality on a slice of the benchmark's data: three simulated meters (both
 * providers, one recording every 15 minutes) over August–November, when heating comes on
 * and a baseline that lags behind the load floods the user with false alarms. Detection
 * runs in 30-day windows with the history the product loads, as at each sync.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Anomaly, AnomalyMethod } from '../../../src/analytics/anomalies.js';
import { evaluateDetections, overlaps, type TimeSpan } from '../../../src/analytics/evaluation.js';
import { localDayStartUtc } from '../../../src/simulator/euTime.js';
import {
  BENCH_NOW_MS,
  accepts,
  detectInWindows,
  simMeter,
  simulatedReadings,
  truthsIn,
  type MeterCase,
} from '../../bench/detection.js';

const FROM_MS = localDayStartUtc('2026-08-01');
const TO_MS = localDayStartUtc('2026-12-01');
/** More than the profile's history (35 + 2 days) and the moving average's (7 + 2). */
const HISTORY_MS = 40 * 86_400_000;

const cases: MeterCase[] = [
  { label: 'Enedis #0', meter: simMeter('enedis', 0, BENCH_NOW_MS) },
  { label: 'Enedis #1', meter: simMeter('enedis', 1, BENCH_NOW_MS) },
  { label: 'ORES #4 (15-minute)', meter: simMeter('ores', 4, BENCH_NOW_MS) },
];

interface Run {
  c: MeterCase;
  truths: TimeSpan[];
  found: Record<AnomalyMethod, Anomaly[]>;
}

let runs: Run[] = [];

beforeAll(() => {
  runs = cases.map((c) => {
    const readings = simulatedReadings(c, FROM_MS - HISTORY_MS, TO_MS);
    return {
      c,
      truths: truthsIn(c.meter, FROM_MS, TO_MS),
      found: {
        profile: detectInWindows(readings, 'profile', FROM_MS, TO_MS),
        'moving-average': detectInWindows(readings, 'moving-average', FROM_MS, TO_MS),
      },
    };
  });
}, 60_000);

const falseAlarms = (method: AnomalyMethod): Anomaly[] =>
  runs.flatMap((r) =>
    r.found[method].filter((e) => !r.truths.some((t) => overlaps(e, t) && accepts(e.kind, t.kind))),
  );

describe('detection quality on simulated meters with injected faults', () => {
  it('has faults of every kind to find in the slice', () => {
    const kinds = new Set(runs.flatMap((r) => r.truths.map((t) => t.kind)));
    expect([...kinds].sort()).toEqual(['evening_spike', 'night_baseload', 'stuck_heater']);
  });

  it('profile finds every injected fault', () => {
    for (const r of runs) {
      const score = evaluateDetections(r.found.profile, r.truths, { accepts });
      expect({ meter: r.c.label, missed: score.truths - score.recalledTruths }).toEqual({
        meter: r.c.label,
        missed: 0,
      });
    }
  });

  it('reports a leak-like night as a night-baseload anomaly, on the right nights', () => {
    const nights = runs.flatMap((r) =>
      r.truths.filter((t) => t.kind === 'night_baseload').map((t) => ({ r, t })),
    );
    expect(nights.length).toBeGreaterThan(0);
    for (const { r, t } of nights) {
      const events = r.found.profile.filter((e) => e.kind === 'night_baseload' && overlaps(e, t));
      expect(events.length).toBeGreaterThan(0);
    }
  });

  it('profile raises far fewer false alarms than the moving average, and almost none', () => {
    const profile = falseAlarms('profile');
    const movingAverage = falseAlarms('moving-average');
    expect(profile.length).toBeLessThan(movingAverage.length);
    // The original complaint: dozens of alarms a month on ordinary autumn days.
    expect(profile.length).toBeLessThanOrEqual(2);
    const all = runs.flatMap((r) => r.found.profile).length;
    expect(all - profile.length).toBeGreaterThan(0);
  });
});
