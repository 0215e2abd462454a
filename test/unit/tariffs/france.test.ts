import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/errors.js';
import { priceBill } from '../../../src/tariffs/price.js';
import { singlePlanSchedule } from '../../../src/tariffs/segments.js';
import { parseTempoCalendar } from '../../../src/tariffs/tempoCalendar.js';
import { PARIS, cents, localStart, plans, series } from './build.js';

const HPHC = plans({
  plans: {
    hphc: {
      country: 'FR',
      kind: 'hp-hc',
      versions: [
        {
          validFrom: '2025-08-01',
          offPeak: [{ from: '22:00', to: '06:00' }],
          energy: { hp: '0.2146', hc: '0.1696' },
          vatPercent: 20,
        },
      ],
    },
  },
});

function priceDay(day: string, next: string, readings = series(day, next, PARIS, 1800, () => 0.5)) {
  return priceBill({
    plans: HPHC,
    schedule: singlePlanSchedule('hphc'),
    zone: PARIS,
    from: localStart(day, PARIS),
    to: localStart(next, PARIS),
    readings,
  });
}

describe('France HP/HC', () => {
  it('prices a day whose off-peak window crosses midnight, with taxes and subscription', () => {
    const p = plans({
      plans: {
        hphc: {
          country: 'FR',
          kind: 'hp-hc',
          versions: [
            {
              validFrom: '2025-08-01',
              offPeak: [{ from: '22:00', to: '06:00' }],
              energy: { hp: '0.2146', hc: '0.1696' },
              taxes: [{ label: 'Accise', perKwh: '0.0225' }],
              subscription: { kva: 9, perMonthByKva: { '6': '12.44', '9': '15.65' } },
              vatPercent: '20',
            },
          ],
        },
      },
    });
    // 15 January 2026, 48 half-hours of 0.5 kWh. Off-peak: 00:00–06:00 (12 half-hours) and
    // 22:00–24:00 (4) = 16 × 0.5 = 8 kWh; peak 32 × 0.5 = 16 kWh (21:30 is HP, 22:00 HC,
    // 05:30 HC, 06:00 HP).
    //   Energy HP 16 × 0.2146 = 3.4336 → 3.43
    //   Energy HC  8 × 0.1696 = 1.3568 → 1.36
    //   Accise    24 × 0.0225 = 0.54
    //   Subscription 9 kVA: 15.65 × 1/31 of January = 0.50484 → 0.50
    //   subtotal 5.83; VAT 20 % = 1.166 → 1.17; total 7.00
    const bill = priceBill({
      plans: p,
      schedule: singlePlanSchedule('hphc'),
      zone: PARIS,
      from: localStart('2026-01-15', PARIS),
      to: localStart('2026-01-16', PARIS),
      readings: series('2026-01-15', '2026-01-16', PARIS, 1800, () => 0.5),
    });
    expect(bill.bands).toEqual([
      { band: 'hp', kwh: '16.000' },
      { band: 'hc', kwh: '8.000' },
    ]);
    expect(cents(bill.lines)).toEqual({
      'Energy peak (HP)': 343,
      'Energy off-peak (HC)': 136,
      Accise: 54,
      'Subscription 9 kVA': 50,
    });
    expect(bill.subtotal).toBe('5.83');
    expect(bill.vatAmount).toBe('1.17');
    expect(bill.total).toBe('7.00');
    expect(bill.lines.find((l) => l.kind === 'subscription')?.quantity).toBe('0.0323');
  });

  it('a 46-half-hour day (March DST change) has 14 off-peak half-hours', () => {
    // 29 March 2026: 02:00–03:00 does not exist. 46 × 0.5 = 23 kWh.
    // HC: 00:00–02:00 (4) + 03:00–06:00 (6) + 22:00–24:00 (4) = 14 → 7 kWh; HP 32 → 16 kWh.
    //   HP 16 × 0.2146 = 3.4336 → 3.43; HC 7 × 0.1696 = 1.1872 → 1.19
    //   subtotal 4.62; VAT 0.924 → 0.92; total 5.54
    const readings = series('2026-03-29', '2026-03-30', PARIS, 1800, () => 0.5);
    expect(readings).toHaveLength(46);
    const bill = priceDay('2026-03-29', '2026-03-30', readings);
    expect(bill.consumptionKwh).toBe('23.000');
    expect(cents(bill.lines)).toEqual({ 'Energy peak (HP)': 343, 'Energy off-peak (HC)': 119 });
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['4.62', '0.92', '5.54']);
  });

  it('a 50-half-hour day (October DST change) counts the repeated hour off-peak twice', () => {
    // 25 October 2026: 02:00–03:00 happens twice. 50 × 0.5 = 25 kWh.
    // HC: 00:00–06:00 is 7 real hours (14) + 22:00–24:00 (4) = 18 → 9 kWh; HP 32 → 16 kWh.
    //   HP 3.4336 → 3.43; HC 9 × 0.1696 = 1.5264 → 1.53
    //   subtotal 4.96; VAT 0.992 → 0.99; total 5.95
    const readings = series('2026-10-25', '2026-10-26', PARIS, 1800, () => 0.5);
    expect(readings).toHaveLength(50);
    const bill = priceDay('2026-10-25', '2026-10-26', readings);
    expect(bill.bands).toEqual([
      { band: 'hp', kwh: '16.000' },
      { band: 'hc', kwh: '9.000' },
    ]);
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['4.96', '0.99', '5.95']);
  });
});

describe('France Tempo', () => {
  const tempo = plans({
    plans: {
      tempo: {
        country: 'FR',
        kind: 'tempo',
        tempoCalendar: 'tempo.csv',
        versions: [
          {
            validFrom: '2025-08-01',
            energy: {
              'blue-hc': '0.1288',
              'blue-hp': '0.1552',
              'white-hc': '0.1447',
              'white-hp': '0.1792',
              'red-hc': '0.1518',
              'red-hp': '0.6586',
            },
            vatPercent: '20',
          },
        ],
      },
    },
  });
  const calendar = parseTempoCalendar(
    'date,colour\n2026-01-19,BLUE\n2026-01-20,rouge\n# next\n2026-01-21,white\n',
  );

  it('prices a red day: its night before 06:00 belongs to the previous (blue) Tempo day', () => {
    // Local 20 January 2026, 48 half-hours of 1 kWh.
    // 00:00–06:00 is still Tempo day 19 January (blue), off-peak: 12 kWh blue HC.
    // 06:00–22:00 red peak: 32 kWh; 22:00–24:00 red off-peak: 4 kWh.
    //   blue HC 12 × 0.1288 = 1.5456 → 1.55
    //   red HP  32 × 0.6586 = 21.0752 → 21.08
    //   red HC   4 × 0.1518 = 0.6072 → 0.61
    //   subtotal 23.24; VAT 20 % = 4.648 → 4.65; total 27.89
    const bill = priceBill({
      plans: tempo,
      schedule: singlePlanSchedule('tempo'),
      zone: PARIS,
      from: localStart('2026-01-20', PARIS),
      to: localStart('2026-01-21', PARIS),
      readings: series('2026-01-20', '2026-01-21', PARIS, 1800, () => 1),
      calendars: { tempo: calendar },
    });
    expect(cents(bill.lines)).toEqual({
      'Energy Tempo blue HC': 155,
      'Energy Tempo red HP': 2108,
      'Energy Tempo red HC': 61,
    });
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['23.24', '4.65', '27.89']);
  });

  it('refuses a day the calendar does not cover, naming it', () => {
    const run = () =>
      priceBill({
        plans: tempo,
        schedule: singlePlanSchedule('tempo'),
        zone: PARIS,
        from: localStart('2026-01-21', PARIS),
        to: localStart('2026-01-23', PARIS),
        readings: series('2026-01-21', '2026-01-23', PARIS, 1800, () => 1),
        calendars: { tempo: calendar },
      });
    expect(run).toThrow(InputError);
    expect(run).toThrow('the Tempo calendar has no colour for 2026-01-22');
  });

  it('reads JSON calendars and rejects bad colours with their line', () => {
    const cal = parseTempoCalendar('{"2026-01-20": "RED", "2026-01-21": "blanc"}');
    expect([...cal]).toEqual([
      ['2026-01-20', 'red'],
      ['2026-01-21', 'white'],
    ]);
    expect(() => parseTempoCalendar('2026-01-20,red\n2026-01-21,purple', 'tempo.csv')).toThrow(
      'Tempo calendar tempo.csv line 2: "purple" is not a colour (blue, white, red)',
    );
  });
});

describe('a plan change in the middle of a month', () => {
  it('prices each half of April at the version in force, subscription pro rata', () => {
    const p = plans({
      plans: {
        base: {
          country: 'FR',
          kind: 'base',
          versions: [
            {
              validFrom: '2026-01-01',
              energy: { base: '0.2000' },
              subscription: { kva: 6, perMonthByKva: { '6': '12.00' } },
              vatPercent: '20',
            },
            {
              validFrom: '2026-04-16',
              energy: { base: '0.2516' },
              subscription: { kva: 6, perMonthByKva: { '6': '13.00' } },
              vatPercent: '20',
            },
          ],
        },
      },
    });
    // April 2026 (30 days, no DST change), 48 half-hours of 0.5 kWh a day = 24 kWh a day.
    // 1–15 April: 360 kWh × 0.2000 = 72.00; subscription 12.00 × 15/30 = 6.00
    // 16–30 April: 360 kWh × 0.2516 = 90.576 → 90.58; subscription 13.00 × 15/30 = 6.50
    // subtotal 175.08; VAT 20 % = 35.016 → 35.02; total 210.10
    const bill = priceBill({
      plans: p,
      schedule: singlePlanSchedule('base'),
      zone: PARIS,
      from: localStart('2026-04-01', PARIS),
      to: localStart('2026-05-01', PARIS),
      readings: series('2026-04-01', '2026-05-01', PARIS, 1800, () => 0.5),
    });
    expect(bill.lines.map((l) => [l.label, l.quantity, l.unitPrice, l.amount])).toEqual([
      ['Energy base', '360.000', '0.2', '72.00'],
      ['Subscription 6 kVA', '0.5000', '12', '6.00'],
      ['Energy base', '360.000', '0.2516', '90.58'],
      ['Subscription 6 kVA', '0.5000', '13', '6.50'],
    ]);
    expect([bill.subtotal, bill.vatAmount, bill.total]).toEqual(['175.08', '35.02', '210.10']);
    expect(bill.segments.map((s) => s.validFrom)).toEqual(['2026-01-01', '2026-04-16']);
  });
});
