/**
 * Benchmark readings: half-hourly consumption of one meter, values from the simulator's
 * load model (so they look like a real load curve), timestamps as stored (UTC interval
 * starts). Deterministic: the same arguments always give the same rows.
 */
import type { Reading } from '../../src/domain/readings.js';
import { createSimMeter } from '../../src/simulator/meters.js';
import { intervalKwh, type SimMeter } from '../../src/simulator/loadModel.js';

const HALF_HOUR_MS = 30 * 60_000;
const SEED = 2026;

/** A simulated meter recording every 30 minutes since long before `fromMs`. */
export function halfHourlyMeter(rank: number, nowMs: number): SimMeter {
  const m = createSimMeter('enedis', SEED, rank, nowMs);
  const { stepChange: _drop, ...rest } = m;
  return { ...rest, stepMinutes: 30, activationDate: new Date(0) };
}

/** `count` half-hourly readings of one series, starting at `fromMs` (a half-hour boundary). */
export function halfHourlyReadings(
  series: { buildingId: string; deviceRef: string; meter: SimMeter },
  fromMs: number,
  count: number,
): Reading[] {
  const start = Math.ceil(fromMs / HALF_HOUR_MS) * HALF_HOUR_MS;
  const out: Reading[] = new Array<Reading>(count);
  for (let i = 0; i < count; i++) {
    const t = start + i * HALF_HOUR_MS;
    out[i] = {
      buildingId: series.buildingId,
      deviceRef: series.deviceRef,
      deviceType: 'electricity_meter',
      metricType: 'electricity_consumption',
      timestamp: new Date(t),
      intervalSeconds: 1800,
      value: intervalKwh(series.meter, t, 30),
      unit: 'kWh',
      source: 'bench',
    };
  }
  return out;
}

/** Half-hours in [fromMs, toMs[, both on half-hour boundaries. */
export function halfHoursBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / HALF_HOUR_MS));
}
