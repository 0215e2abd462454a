import { describe, expect, it } from 'vitest';
import { marginalCost, priceBill } from '../../../src/tariffs/price.js';
import { singlePlanSchedule } from '../../../src/tariffs/segments.js';
import { monthlyPeaks } from '../../../src/tariffs/peaks.js';
import { BRUSSELS, cents, localStart, plans, series } from './build.js';

const EXCLUSIVE = plans({
  plans: {
    be: {
      country: 'BE',
      kind: 'be-bi-horaire',
      versions: [
        {
          validFrom: '2026-01-01',
          night: { from: '21:00', to: '06:00', weekendIsNight: false },
          energy: { day: '0.32', night: '0.24' },
          network: '0.08',
          taxes: [{ label: 'Excise', perKwh: '0.05' }],
          subscription: { kva: 10, perMonthByKva: { '10': '9.00' } },
          capacity: { perKwYear: '60.00' },
          exclusiveNight: { deviceRefs: ['EXCL-1'], energy: '0.20', network: '0.03' },
          vatPercent: '6',
        },
      ],
    },
  },
});

describe('Belgian exclusive night and configured night hours', () => {
  it('prices the exclusive-night meter at its own prices and 21:00–06:00 as night', () => {
    // Saturday 13 June 2026 with weekendIsNight false: the hours decide.
    // Main meter, 96 × 0.25 kWh: night 00:00–06:00 (24) + 21:00–24:00 (12) = 9 kWh, day 15 kWh.
    // Exclusive-night meter: 0.5 kWh per quarter-hour from 00:00 to 07:00 = 28 × 0.5 = 14 kWh,
    // all in its own band whatever the hour.
    //   Energy day 15 × 0.32 = 4.80; Network day 15 × 0.08 = 1.20
    //   Energy night 9 × 0.24 = 2.16; Network night 9 × 0.08 = 0.72
    //   Energy exclusive night 14 × 0.20 = 2.80; Network exclusive night 14 × 0.03 = 0.42
    //   Excise (24 + 14) × 0.05 = 1.90
    const main = series('2026-06-13', '2026-06-14', BRUSSELS, 900, () => 0.25);
    const exclusive = series('2026-06-13', '2026-06-14', BRUSSELS, 900, (t) =>
      t.hour < 7 ? 0.5 : 0,
    ).map((r) => ({ ...r, deviceRef: 'EXCL-1' }));
    const bill = priceBill({
      plans: EXCLUSIVE,
      schedule: singlePlanSchedule('be'),
      zone: BRUSSELS,
      from: localStart('2026-06-13', BRUSSELS),
      to: localStart('2026-06-14', BRUSSELS),
      readings: [...main, ...exclusive],
    });
    const c = cents(bill.lines);
    expect(c).toMatchObject({
      'Energy day': 480,
      'Network day': 120,
      'Energy night': 216,
      'Network night': 72,
      'Energy exclusive night': 280,
      'Network exclusive night': 42,
      Excise: 190,
    });
    expect(bill.bands.find((b) => b.band === 'exclusive-night')?.kwh).toBe('14.000');

    // What the exclusive-night kWh cost at the margin: 2.80 + 0.42 + 14 × 0.05 = 0.70,
    // 3.92 + VAT 6 % 0.2352 → 0.24 = 4.16; no subscription nor capacity.
    const extra = marginalCost({
      plans: EXCLUSIVE,
      schedule: singlePlanSchedule('be'),
      zone: BRUSSELS,
      from: localStart('2026-06-13', BRUSSELS),
      to: localStart('2026-06-14', BRUSSELS),
      readings: exclusive,
    });
    expect(extra.lines.map((l) => l.kind)).toEqual(['energy', 'network', 'tax']);
    expect([extra.subtotal, extra.vatAmount, extra.total]).toEqual(['3.92', '0.24', '4.16']);
  });

  it('lists monthly peaks outside any plan, with their local month', () => {
    // 00:00 local on 1 July 2026 is 22:00 UTC on 30 June: it belongs to July.
    const readings = [
      {
        start: new Date('2026-06-30T21:45:00Z'),
        seconds: 900,
        kwh: 0.5,
        metric: 'consumption' as const,
      },
      {
        start: new Date('2026-06-30T22:00:00Z'),
        seconds: 900,
        kwh: 0.75,
        metric: 'consumption' as const,
      },
    ];
    expect(monthlyPeaks(readings, BRUSSELS)).toEqual([
      {
        month: '2026-06',
        peakKw: '2.000',
        at: new Date('2026-06-30T21:45:00Z'),
        source: 'quarter-hour',
      },
      {
        month: '2026-07',
        peakKw: '3.000',
        at: new Date('2026-06-30T22:00:00Z'),
        source: 'quarter-hour',
      },
    ]);
  });
});
