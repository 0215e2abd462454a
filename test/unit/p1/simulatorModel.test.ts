import { describe, expect, it } from 'vitest';
import { parseTelegram } from '../../../src/providers/p1/telegram.js';
import { writeTelegram } from '../../../src/providers/p1/writeTelegram.js';
import { corruptTelegram } from '../../../src/simulator/p1/corrupt.js';
import { belgianTariff, createMeterModel } from '../../../src/simulator/p1/meterModel.js';
import { createPrng } from '../../../src/simulator/prng.js';

describe('simulated Fluvius meter', () => {
  it('switches tariff 1 (day) at 07:00 and 2 (night) at 22:00 local on weekdays, night all weekend', () => {
    // Tuesday 1 December 2026, winter time (+01:00).
    expect(belgianTariff(Date.parse('2026-12-01T05:59:59Z'))).toBe(2);
    expect(belgianTariff(Date.parse('2026-12-01T06:00:00Z'))).toBe(1);
    expect(belgianTariff(Date.parse('2026-12-01T20:59:59Z'))).toBe(1);
    expect(belgianTariff(Date.parse('2026-12-01T21:00:00Z'))).toBe(2);
    expect(belgianTariff(Date.parse('2026-12-05T12:00:00Z'))).toBe(2); // Saturday
  });

  it('registers only grow, on the tariff in force; PV injects at midday; gas is read every 5 minutes', () => {
    const start = Date.parse('2026-06-02T04:00:00Z'); // Tuesday 06:00 summer time
    const model = createMeterModel(start, { seed: 3, pvKw: 6 });
    let prev = model.telegramAt(start);
    const gasTimes = new Set<number>();
    for (let at = start + 10_000; at <= start + 10 * 3_600_000; at += 10_000) {
      const t = model.telegramAt(at);
      for (const k of ['importT1Kwh', 'importT2Kwh', 'exportT1Kwh', 'exportT2Kwh'] as const) {
        expect(t[k] as number).toBeGreaterThanOrEqual(prev[k] as number);
      }
      if (t.tariff === 2) expect(t.importT1Kwh).toBe(prev.importT1Kwh);
      gasTimes.add(t.mbus[0]?.reading?.at as number);
      prev = t;
    }
    const first = model.telegramAt(start + 10 * 3_600_000 + 1000);
    expect(first.exportT1Kwh as number).toBeGreaterThan(345.678 + 1); // injected during the day
    expect([...gasTimes].every((g) => g % 300_000 === 0)).toBe(true);
    expect(gasTimes.size).toBe(121);
  });

  it('10,000 telegrams damaged as a noisy line damages them: every one rejected', () => {
    const start = Date.parse('2026-10-25T00:00:00Z');
    const model = createMeterModel(start, { seed: 4 });
    const prng = createPrng(99);
    const reasons = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const r = parseTelegram(
        corruptTelegram(writeTelegram(model.telegramAt(start + i * 1000)), prng),
      );
      expect(r.ok).toBe(false);
      if (!r.ok) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    }
    expect([...reasons.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(reasons.get('crc_mismatch')).toBeGreaterThan(5000);
  });
});
