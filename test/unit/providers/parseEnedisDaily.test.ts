import { describe, expect, it } from 'vitest';
import {
  describeEnedisAnswer,
  parseEnedisMaxPower,
  parseEnedisSavedAnswer,
} from '../../../src/providers/parseEnedisDaily.js';

const PRM = '12345678901234';
const zone = { timeZone: 'Europe/Paris' };

// Shapes of the Data Connect 2026 (`grandeur` with points v/d/p/n) and v5 (`meter_reading`)
// answers as DESIGN §3 describes them; the values are our own.
const daily2026 = (metier: 'CONS' | 'PROD') => ({
  idPrm: PRM,
  etapeMetier: 'BRUT',
  periode: { dateDebut: '2026-10-24', dateFin: '2026-10-27' },
  modeCalcul: 'SOMME',
  grandeur: [
    {
      grandeurMetier: metier,
      grandeurPhysique: 'EA',
      unite: 'Wh',
      points: [
        { v: '9120', d: '2026-10-24', p: 'P1D', n: 'B' },
        { v: '10340', d: '2026-10-25', p: 'P1D', n: 'B' },
        { v: '8700', d: '2026-10-26', p: 'P1D', n: 'B' },
      ],
    },
  ],
});

describe('saved Enedis answers read by their shape', () => {
  it('daily consumption and production (2026): Wh per local day, the 25-hour day included', () => {
    const cons = parseEnedisSavedAnswer(daily2026('CONS'), zone);
    expect(cons.metric).toBe('electricity_consumption_daily');
    expect(cons.readings.map((r) => r.value)).toEqual([9.12, 10.34, 8.7]);
    // 2026-10-25 is the autumn change: 25 hours, starting at local midnight (+02:00).
    expect(cons.readings[1]).toMatchObject({ intervalSeconds: 90_000, unit: 'kWh' });
    expect(cons.readings[1]?.timestamp.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    // Production told by grandeurMetier, whatever the caller guessed.
    expect(parseEnedisSavedAnswer(daily2026('PROD'), { ...zone, production: false }).metric).toBe(
      'electricity_production_daily',
    );
  });

  it('v5 daily production: the direction from the caller, since the answer does not say', () => {
    const v5 = {
      meter_reading: {
        usage_point_id: PRM,
        start: '2026-06-01',
        end: '2026-06-03',
        quality: 'BRUT',
        reading_type: {
          measurement_kind: 'energy',
          unit: 'Wh',
          aggregate: 'sum',
          measuring_period: 'P1D',
        },
        interval_reading: [
          { value: '15400', date: '2026-06-01' },
          { value: '17250', date: '2026-06-02' },
        ],
      },
    };
    expect(describeEnedisAnswer(v5)).toEqual({ shape: 'daily', production: null });
    const r = parseEnedisSavedAnswer(v5, { ...zone, production: true });
    expect(r.metric).toBe('electricity_production_daily');
    expect(r.readings.map((x) => x.value)).toEqual([15.4, 17.25]);
  });

  it('daily maximum power: VA at the instant of the peak, 2026 and v5', () => {
    const a2026 = {
      idPrm: PRM,
      grandeur: [
        {
          grandeurMetier: 'CONS',
          grandeurPhysique: 'PMA',
          unite: 'VA',
          points: [
            { v: '6120', d: '2026-11-20 19:42:00', p: 'P1D', n: 'B' },
            { v: '5830', d: '2026-11-21 08:10:00', p: 'P1D', n: 'B' },
          ],
        },
      ],
    };
    const saved = parseEnedisSavedAnswer(a2026, zone);
    expect(saved.metric).toBe('max_power_daily');
    expect(saved.readings[0]).toMatchObject({ value: 6120, unit: 'VA', intervalSeconds: 0 });
    expect(saved.readings[0]?.timestamp.toISOString()).toBe('2026-11-20T18:42:00.000Z');
    const v5 = {
      meter_reading: {
        usage_point_id: PRM,
        reading_type: {
          measurement_kind: 'power',
          unit: 'VA',
          aggregate: 'maximum',
          measuring_period: 'P1D',
        },
        interval_reading: [{ value: '4410', date: '2026-07-14 13:05:12' }],
      },
    };
    expect(parseEnedisMaxPower(v5, zone)).toEqual([
      { at: new Date('2026-07-14T11:05:12.000Z'), va: 4410 },
    ]);
    expect(() =>
      parseEnedisMaxPower(
        { grandeur: [{ unite: 'W', points: [{ v: '1', d: '2026-07-14 13:05:12' }] }] },
        zone,
      ),
    ).toThrow(/not VA/);
  });

  it('a 2026 production load curve is production without --metric', () => {
    const curve = {
      idPrm: PRM,
      grandeur: [
        {
          grandeurMetier: 'PROD',
          grandeurPhysique: 'PA',
          unite: 'W',
          points: [{ v: '1200', d: '2026-06-01 12:30:00', p: 'PT30M', n: 'B' }],
        },
      ],
    };
    const r = parseEnedisSavedAnswer(curve, zone);
    expect(r.metric).toBe('electricity_production');
    expect(r.readings[0]).toMatchObject({ value: 0.6, intervalSeconds: 1800 });
  });
});
