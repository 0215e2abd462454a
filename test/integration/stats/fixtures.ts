/**
 * Readings for the statistics tests, from the simulator's load model: the tests recompute
 * the expected totals from the same model (intervalKwh), never from the code under test.
 */
import type { Reading } from '../../../src/domain/readings.js';
import { intervalKwh, meterIntervals, type SimMeter } from '../../../src/simulator/loadModel.js';

export const ZONE = 'Europe/Brussels';

/** A plain half-hourly Enedis meter without injected anomalies. */
export function plainMeter(overrides: Partial<SimMeter> = {}): SimMeter {
  return {
    prm: '25000000000042',
    provider: 'enedis',
    seed: 4242,
    stepMinutes: 30,
    activationDate: new Date('2023-01-01T00:00:00Z'),
    anomalies: [],
    solarPeakW: 0,
    ...overrides,
  };
}

/** The meter's readings starting in [from, to), as the sync would store them. */
export function meterReadings(
  meter: SimMeter,
  buildingId: string,
  from: string,
  to: string,
  skip: (startMs: number) => boolean = () => false,
): Reading[] {
  return meterIntervals(meter, Date.parse(from), Date.parse(to))
    .filter((i) => !skip(i.startMs))
    .map((i) => ({
      buildingId,
      deviceRef: meter.prm,
      deviceType: 'electricity_meter',
      metricType: 'electricity_consumption',
      timestamp: new Date(i.startMs),
      intervalSeconds: i.stepMinutes * 60,
      value: intervalKwh(meter, i.startMs, i.stepMinutes),
      unit: 'kWh',
      source: 'enedis',
    }));
}

/** Total, count and extremes of the model over [from, to) UTC, skipping as the data does. */
export function expectedOver(
  meter: SimMeter,
  from: string,
  to: string,
  skip: (startMs: number) => boolean = () => false,
): { total: number; count: number; min: number; max: number } {
  let total = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const i of meterIntervals(meter, Date.parse(from), Date.parse(to))) {
    if (skip(i.startMs)) continue;
    const v = intervalKwh(meter, i.startMs, i.stepMinutes);
    total += v;
    count++;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { total, count, min, max };
}

/** The seed's comparison text for a ratio, computed here independently. */
export function change(ratio: number): string {
  const pct = Math.round((ratio - 1) * 1000) / 10;
  return `${pct >= 0 ? '+' : '-'}${Math.abs(pct).toFixed(1)}%`;
}
