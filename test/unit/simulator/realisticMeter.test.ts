/**
 * `simulator --realistic`: meters draw their load from the realistic model (day-to-day
 * variation, noisy half-hours, holidays, faults and level shifts) instead of the clean
 * default shape, with the same identities, and the served load really is noisier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorOptionsFrom } from '../../../src/commands/simulator.js';
import { localDayStartUtc } from '../../../src/simulator/euTime.js';
import { intervalKwh, meterIntervals, type SimMeter } from '../../../src/simulator/loadModel.js';
import { createSimMeter } from '../../../src/simulator/meters.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');

/** Day-to-day spread of the daily totals over working days, as a share of their mean. */
function dailySpread(meter: SimMeter, firstDay: string, days: number): number {
  const totals: number[] = [];
  for (let d = 0; d < days; d++) {
    const from = localDayStartUtc(firstDay) + d * 86_400_000;
    const weekday = new Date(from + 12 * 3_600_000).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    let sum = 0;
    for (const i of meterIntervals(meter, from, from + 86_400_000)) {
      sum += intervalKwh(meter, i.startMs, i.stepMinutes);
    }
    totals.push(sum);
  }
  const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
  const sd = Math.sqrt(totals.reduce((a, b) => a + (b - mean) ** 2, 0) / totals.length);
  return sd / mean;
}

describe('realistic simulated meters', () => {
  it('keep their identity and draw a noisier load with its own faults', () => {
    const plain = createSimMeter('enedis', 42, 0, NOW);
    const real = createSimMeter('enedis', 42, 0, NOW, { realistic: true });
    expect(real.prm).toBe(plain.prm);
    expect(plain.realistic).toBeUndefined();
    expect(real.realistic?.faults.length).toBeGreaterThan(0);
    expect(real.realistic?.faults.some((f) => f.kind === 'level_shift')).toBe(true);
    expect(real.realistic?.holidays.size).toBeGreaterThan(0);
    // Eight spring weeks of working days: the realistic load varies from day to day far
    // more than the default shape (its 15 % day-to-day variation, the weather's heating).
    const plainSpread = dailySpread(plain, '2025-04-07', 56);
    expect(dailySpread(real, '2025-04-07', 56)).toBeGreaterThan(1.8 * plainSpread);
  });

  it('take the noise levels given', () => {
    const calm = createSimMeter('ores', 7, 1, NOW, {
      realistic: true,
      dayVariation: 0,
      intervalNoise: 0.05,
    });
    expect(calm.realistic?.dayVariation).toBe(0);
    expect(calm.realistic?.intervalNoise).toBe(0.05);
  });

  it('are what the simulator serves with --realistic', async () => {
    expect(simulatorOptionsFrom({ realistic: true }).realistic).toBe(true);
    expect(simulatorOptionsFrom({}).realistic).toBe(false);
  });
});

describe('a simulator started with realistic meters', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, seed: 5, realistic: true, now: () => new Date(NOW) });
  });
  afterAll(async () => sim?.close());

  it('creates meters on the realistic model', () => {
    const [m] = sim.createMeters('ores', 1);
    expect(m?.realistic).toBeDefined();
    expect(m?.anomalies).toEqual([]);
  });
});
