/**
 * Pricing a period in two pieces and adding the pieces equals pricing it whole, compared on
 * the exact (unrounded) amounts of each line: per-line rounding to the cent happens after,
 * so rounded pieces may differ from the rounded whole by at most a cent per line.
 * Energy, network, taxes, injection, subscription and fixed fees (pro rata of the month's
 * time) split anywhere; the capacity charge is a monthly maximum, so it is checked on a split
 * at a month boundary only.
 */
import { describe, expect, it } from 'vitest';
import { add, equals, toDecimalString, type Exact } from '../../../src/tariffs/exact.js';
import { priceExact, type PricingReading } from '../../../src/tariffs/price.js';
import { singlePlanSchedule } from '../../../src/tariffs/segments.js';
import type { ExactLine } from '../../../src/tariffs/lines.js';
import { BRUSSELS, PARIS, localStart, plans } from './build.js';

/** mulberry32: a small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomReadings(from: Date, to: Date, seconds: number, rand: () => number) {
  const out: PricingReading[] = [];
  for (let ms = from.getTime(); ms < to.getTime(); ms += seconds * 1000) {
    out.push({
      start: new Date(ms),
      seconds,
      kwh: Math.round(rand() * 2000) / 1000,
      metric: 'consumption',
    });
    if (rand() < 0.2)
      out.push({
        start: new Date(ms),
        seconds,
        kwh: Math.round(rand() * 900) / 1000,
        metric: 'production',
      });
  }
  return out;
}

function byLine(lines: readonly ExactLine[]): Map<string, Exact> {
  const m = new Map<string, Exact>();
  for (const l of lines) {
    const key = `${l.kind}|${l.label}|${toDecimalString(l.unitPrice, 12)}`;
    m.set(key, add(m.get(key) ?? { num: 0n, den: 1n }, l.amount));
  }
  return m;
}

function expectSameAmounts(whole: Map<string, Exact>, parts: Map<string, Exact>[]) {
  const summed = new Map<string, Exact>();
  for (const p of parts)
    for (const [k, v] of p) summed.set(k, add(summed.get(k) ?? { num: 0n, den: 1n }, v));
  expect([...summed.keys()].sort()).toEqual([...whole.keys()].sort());
  for (const [k, v] of whole) expect(equals(summed.get(k) as Exact, v), k).toBe(true);
}

const FRENCH = plans({
  plans: {
    hphc: {
      country: 'FR',
      kind: 'hp-hc',
      versions: [
        {
          validFrom: '2026-01-01',
          offPeak: [{ from: '22:30', to: '06:30' }],
          energy: { hp: '0.2146', hc: '0.1696' },
          taxes: [{ label: 'Accise', perKwh: '0.0225' }],
          subscription: { kva: 9, perMonthByKva: { '9': '15.65' } },
          fixed: [{ label: 'Metering', perMonth: '1.37' }],
          vatPercent: '20',
        },
        {
          validFrom: '2026-04-10',
          offPeak: [
            { from: '02:00', to: '06:00' },
            { from: '13:00', to: '17:00' },
          ],
          energy: { hp: '0.2211', hc: '0.1777' },
          taxes: [{ label: 'Accise', perKwh: '0.0300' }],
          subscription: { kva: 9, perMonthByKva: { '9': '16.10' } },
          vatPercent: '20',
        },
      ],
    },
  },
});

describe('splitting a period in two', () => {
  it('adds up exactly for energy, taxes, subscription and fees, anywhere in the period', () => {
    // March–April 2026 in Paris: the DST change (29 March) and a version change (10 April).
    const from = localStart('2026-03-01', PARIS);
    const to = localStart('2026-05-01', PARIS);
    for (let seed = 1; seed <= 5; seed++) {
      const rand = rng(seed);
      const readings = randomReadings(from, to, 1800, rand);
      const price = (a: Date, b: Date) =>
        byLine(
          priceExact({
            plans: FRENCH,
            schedule: singlePlanSchedule('hphc'),
            zone: PARIS,
            from: a,
            to: b,
            readings,
          }).lines,
        );
      // Any half-hour boundary inside the period.
      const steps = (to.getTime() - from.getTime()) / 1_800_000;
      const cut = new Date(from.getTime() + Math.floor(1 + rand() * (steps - 1)) * 1_800_000);
      expectSameAmounts(price(from, to), [price(from, cut), price(cut, to)]);
    }
  });

  it('adds up exactly with the capacity charge when split at a month boundary', () => {
    const be = plans({
      plans: {
        be: {
          country: 'BE',
          kind: 'be-bi-horaire',
          versions: [
            {
              validFrom: '2026-01-01',
              energy: { day: '0.32', night: '0.24' },
              capacity: { perKwYear: '53.76' },
              injection: { perKwh: '0.04' },
              vatPercent: '6',
            },
          ],
        },
      },
    });
    const from = localStart('2026-10-01', BRUSSELS);
    const cut = localStart('2026-11-01', BRUSSELS);
    const to = localStart('2026-12-01', BRUSSELS);
    const readings = randomReadings(from, to, 900, rng(42));
    const price = (a: Date, b: Date) =>
      byLine(
        priceExact({
          plans: be,
          schedule: singlePlanSchedule('be'),
          zone: BRUSSELS,
          from: a,
          to: b,
          readings,
        }).lines,
      );
    expectSameAmounts(price(from, to), [price(from, cut), price(cut, to)]);
  });
});
