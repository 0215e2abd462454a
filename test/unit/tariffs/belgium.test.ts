import { describe, expect, it } from 'vitest';
import { priceBill } from '../../../src/tariffs/price.js';
import { singlePlanSchedule } from '../../../src/tariffs/segments.js';
import type { TariffPlansInput } from '../../../src/tariffs/schema.js';
import { BRUSSELS, cents, localStart, plans, series } from './build.js';

function belgianPlan(mode: 'monthly-peak' | 'rolling-12-month-average'): TariffPlansInput {
  return {
    plans: {
      flanders: {
        country: 'BE',
        kind: 'be-single',
        versions: [
          {
            validFrom: '2026-01-01',
            energy: { single: '0.30' },
            capacity: { perKwYear: '53.76', mode },
            vatPercent: '6',
          },
        ],
      },
    },
  };
}

/** September 2026 in quarter-hours of 0.25 kWh (1 kW), with optional spikes by local time. */
function september(spikes: Record<string, number> = {}) {
  return series('2026-09-01', '2026-10-01', BRUSSELS, 900, (t) => {
    return spikes[t.toFormat("yyyy-MM-dd'T'HH:mm")] ?? 0.25;
  });
}

function priceSeptember(
  readings: ReturnType<typeof september>,
  mode: 'monthly-peak' | 'rolling-12-month-average' = 'monthly-peak',
) {
  return priceBill({
    plans: plans(belgianPlan(mode)),
    schedule: singlePlanSchedule('flanders'),
    zone: BRUSSELS,
    from: localStart('2026-09-01', BRUSSELS),
    to: localStart('2026-10-01', BRUSSELS),
    readings,
  });
}

describe('Belgian capacity tariff', () => {
  it('bills the 2.5 kW minimum when the month peak stays under it', () => {
    // September 2026: 30 days × 96 quarter-hours × 0.25 kWh = 720 kWh; every quarter-hour
    // averages 0.25 × 4 = 1 kW, under the minimum, so 2.5 kW is billed.
    //   Energy 720 × 0.30 = 216.00
    //   Capacity 2.5 kW × 53.76 / 12 = 11.20
    //   subtotal 227.20; VAT 6 % = 13.632 → 13.63; total 240.83
    const bill = priceSeptember(september());
    expect(cents(bill.lines)).toEqual({ 'Energy single rate': 21600, 'Capacity 2026-09': 1120 });
    expect(bill.peaks).toEqual([
      expect.objectContaining({ month: '2026-09', peakKw: '1.000', billedKw: '2.500' }),
    ]);
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['227.20', '13.63', '240.83']);
  });

  it('bills the peak over 2.5 kW and says when it happened', () => {
    // One quarter-hour at 18:00 on 10 September holds 1 kWh instead of 0.25: 4 kW.
    //   kWh 720 − 0.25 + 1 = 720.75; Energy 720.75 × 0.30 = 216.225 → 216.23 (half up)
    //   Capacity 4 kW × 53.76 / 12 = 17.92
    //   subtotal 234.15; VAT 6 % = 14.049 → 14.05; total 248.20
    const bill = priceSeptember(september({ '2026-09-10T18:00': 1 }));
    expect(cents(bill.lines)).toEqual({ 'Energy single rate': 21623, 'Capacity 2026-09': 1792 });
    expect(bill.peaks[0]).toMatchObject({
      peakKw: '4.000',
      billedKw: '4.000',
      source: 'quarter-hour',
      at: new Date('2026-09-10T16:00:00Z'),
    });
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['234.15', '14.05', '248.20']);
  });

  it('Flanders mode bills the average of the last 12 monthly peaks', () => {
    // August 2026 has a 5 kW peak (1.25 kWh in one quarter-hour), September 4 kW; no earlier
    // months have readings. Average (5 + 4) / 2 = 4.5 kW; 4.5 × 53.76 / 12 = 20.16.
    // The monthly-peak mode still bills September's own 4 kW: 17.92.
    const august = series('2026-08-01', '2026-09-01', BRUSSELS, 900, (t) =>
      t.toFormat("dd'T'HH:mm") === '20T19:00' ? 1.25 : 0.25,
    );
    const readings = [...august, ...september({ '2026-09-10T18:00': 1 })];
    const rolling = priceSeptember(readings, 'rolling-12-month-average');
    expect(cents(rolling.lines)['Capacity 2026-09']).toBe(2016);
    expect(rolling.peaks[0]).toMatchObject({ billedKw: '4.500', peakKw: '4.000' });
    // August's readings only fed the history: the energy is September's alone.
    expect(rolling.consumptionKwh).toBe('720.750');
    const monthly = priceSeptember(readings, 'monthly-peak');
    expect(cents(monthly.lines)['Capacity 2026-09']).toBe(1792);
  });

  it("uses the meter's own monthly peak (P1 1.6.0) when given", () => {
    // The register says 3.2 kW at 07:45 on 3 September: 3.2 × 53.76 / 12 = 14.336 → 14.34.
    const bill = priceBill({
      plans: plans(belgianPlan('monthly-peak')),
      schedule: singlePlanSchedule('flanders'),
      zone: BRUSSELS,
      from: localStart('2026-09-01', BRUSSELS),
      to: localStart('2026-10-01', BRUSSELS),
      readings: september(),
      measuredPeaks: [{ month: '2026-09', kw: 3.2, at: new Date('2026-09-03T05:45:00Z') }],
    });
    expect(cents(bill.lines)['Capacity 2026-09']).toBe(1434);
    expect(bill.peaks[0]).toMatchObject({ peakKw: '3.200', source: 'meter', billedKw: '3.200' });
  });

  it('marks a peak computed from half-hour readings as estimated', () => {
    const halfHours = series('2026-09-01', '2026-10-01', BRUSSELS, 1800, () => 1.5);
    const bill = priceSeptember(halfHours);
    // 1.5 kWh over 30 min spread as 0.75 per quarter-hour: 3 kW.
    expect(bill.peaks[0]).toMatchObject({ peakKw: '3.000', source: 'estimated' });
  });
});

describe('Belgian bi-horaire and injection', () => {
  const input: TariffPlansInput = {
    plans: {
      bi: {
        country: 'BE',
        kind: 'be-bi-horaire',
        versions: [
          {
            validFrom: '2026-01-01',
            energy: { day: '0.32', night: '0.24' },
            network: { day: '0.10', night: '0.06' },
            taxes: [{ label: 'Excise', perKwh: '0.05' }],
            injection: { perKwh: '0.04' },
            vatPercent: '6',
          },
        ],
      },
    },
  };
  const price = (day: string, next: string, readings: ReturnType<typeof series>) =>
    priceBill({
      plans: plans(input),
      schedule: singlePlanSchedule('bi'),
      zone: BRUSSELS,
      from: localStart(day, BRUSSELS),
      to: localStart(next, BRUSSELS),
      readings,
    });

  it('splits a weekday at 07:00 and 22:00 and credits injection without VAT', () => {
    // Friday 12 June 2026, 96 quarter-hours of 0.25 kWh = 24 kWh.
    // Night 00:00–07:00 (28) + 22:00–24:00 (8) = 36 × 0.25 = 9 kWh; day 60 × 0.25 = 15 kWh.
    // Injection: 10 quarter-hours of 0.5 kWh from 12:00 = 5 kWh.
    //   Energy day 15 × 0.32 = 4.80; Energy night 9 × 0.24 = 2.16
    //   Network day 15 × 0.10 = 1.50; Network night 9 × 0.06 = 0.54
    //   Excise 24 × 0.05 = 1.20
    //   Injection credit 5 × −0.04 = −0.20 (no VAT)
    //   taxable 4.80 + 2.16 + 1.50 + 0.54 + 1.20 = 10.20; subtotal 10.20 − 0.20 = 10.00
    //   VAT 6 % of 10.20 = 0.612 → 0.61; total 10.61
    const production = series(
      '2026-06-12',
      '2026-06-13',
      BRUSSELS,
      900,
      () => 0.5,
      'production',
    ).filter((r) => {
      const h = (r.start.getTime() - localStart('2026-06-12', BRUSSELS).getTime()) / 900_000;
      return h >= 48 && h < 58;
    });
    expect(production).toHaveLength(10);
    const bill = price('2026-06-12', '2026-06-13', [
      ...series('2026-06-12', '2026-06-13', BRUSSELS, 900, () => 0.25),
      ...production,
    ]);
    expect(cents(bill.lines)).toEqual({
      'Energy day': 480,
      'Network day': 150,
      'Energy night': 216,
      'Network night': 54,
      Excise: 120,
      'Injection credit': -20,
    });
    expect(bill.injectionKwh).toBe('5.000');
    expect(bill.vat).toEqual([{ percent: '6', baseCents: 1020, amountCents: 61 }]);
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['10.00', '0.61', '10.61']);
  });

  it('prices a Saturday as night all day', () => {
    const bill = price(
      '2026-06-13',
      '2026-06-14',
      series('2026-06-13', '2026-06-14', BRUSSELS, 900, () => 0.25),
    );
    expect(bill.bands).toEqual([
      { band: 'day', kwh: '0.000' },
      { band: 'night', kwh: '24.000' },
    ]);
  });
});
