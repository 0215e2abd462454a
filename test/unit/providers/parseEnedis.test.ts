import { describe, expect, it } from 'vitest';
import {
  parseEnedis2026LoadCurve,
  parseEnedisDaily,
  parseEnedisLoadCurve,
  parseEnedisV5LoadCurve,
} from '../../../src/providers/parseEnedis.js';
import { ProviderCallError } from '../../../src/providers/errors.js';
import { fixture, utcSeries } from './fixtures.js';

const paris = { timeZone: 'Europe/Paris' };
const starts = (rs: { start: Date }[]) => rs.map((r) => r.start.toISOString());

function envelope(points: unknown[], unite: unknown = 'W'): unknown {
  return {
    idPrm: '12345678901234',
    grandeur: [{ grandeurMetier: 'CONS', grandeurPhysique: 'PA', unite, points }],
  };
}

function malformedError(f: () => unknown): ProviderCallError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderCallError);
    expect((e as ProviderCallError).kind).toBe('malformed');
    return e as ProviderCallError;
  }
  throw new Error('expected a malformed error, nothing was thrown');
}

describe('Enedis 2026 load curve', () => {
  it('converts average W to kWh over each interval, ends to starts, and keeps the last duplicate', () => {
    const rs = parseEnedis2026LoadCurve(fixture('enedis-2026-load-curve.json'), paris);
    expect(starts(rs)).toEqual([
      '2026-09-28T22:00:00.000Z', // "2026-09-29 00:30:00" is the end of the day's first half-hour
      '2026-09-28T22:30:00.000Z',
      '2026-09-28T23:00:00.000Z',
      '2026-09-29T21:30:00.000Z', // next day 00:00:00 is the day's last point
    ]);
    expect(rs.map((r) => r.kwh)).toEqual([2.039, 0.125, 0.5005, 0.00625]);
    expect(rs.every((r) => r.intervalSeconds === 1800)).toBe(true);
  });

  it('gives 50 half-hours on the October change day, the repeated hour in order', () => {
    const rs = parseEnedis2026LoadCurve(fixture('enedis-2026-october-dst-30min.json'), paris);
    expect(rs).toHaveLength(50);
    expect(starts(rs)).toEqual(utcSeries('2025-10-25T22:00:00Z', 50, 30));
    // "02:00:00" appears twice: first the end at 02:00+02:00 (00:00Z), then at 02:00+01:00 (01:00Z).
    expect(rs[3]?.start.toISOString()).toBe('2025-10-25T23:30:00.000Z');
    expect(rs[5]?.start.toISOString()).toBe('2025-10-26T00:30:00.000Z');
  });

  it('gives 46 half-hours on the March change day', () => {
    const rs = parseEnedis2026LoadCurve(fixture('enedis-2026-march-dst-30min.json'), paris);
    expect(starts(rs)).toEqual(utcSeries('2026-03-28T23:00:00Z', 46, 30));
  });

  it('gives 100 quarter-hours on the October change day (production)', () => {
    const json = fixture('enedis-2026-october-dst-15min.json');
    const rs = parseEnedis2026LoadCurve(json, { ...paris, metier: 'PROD' });
    expect(starts(rs)).toEqual(utcSeries('2025-10-25T22:00:00Z', 100, 15));
    expect(rs[0]?.kwh).toBe(0.025); // 100 W over 15 min
    // Asking for consumption in a production answer finds nothing.
    expect(parseEnedis2026LoadCurve(json, { ...paris, metier: 'CONS' })).toEqual([]);
  });

  it('follows a step change from PT30M to PT15M inside the series', () => {
    const rs = parseEnedis2026LoadCurve(fixture('enedis-2026-step-change.json'), paris);
    expect(rs).toHaveLength(84);
    expect(starts(rs)).toEqual([
      ...utcSeries('2026-09-30T22:00:00Z', 12, 30),
      ...utcSeries('2026-10-01T04:00:00Z', 72, 15),
    ]);
    expect(rs[11]).toMatchObject({ intervalSeconds: 1800, kwh: (1011 * 30) / 60 / 1000 });
    expect(rs[12]).toMatchObject({ intervalSeconds: 900, kwh: (1012 * 15) / 60 / 1000 });
  });

  it('treats empty points as no readings, and a missing grandeur as a malformed answer', () => {
    expect(parseEnedis2026LoadCurve(envelope([]), paris)).toEqual([]);
    expect(parseEnedis2026LoadCurve({ idPrm: '12345678901234', grandeur: [] }, paris)).toEqual([]);
    malformedError(() => parseEnedis2026LoadCurve({ idPrm: '12345678901234' }, paris));
    malformedError(() => parseEnedis2026LoadCurve({ status: 'OK', data: null }, paris));
  });

  it('rejects malformed answers whole', () => {
    const ok = { v: '100', d: '2026-09-29 00:30:00', p: 'PT30M' };
    expect(
      malformedError(() => parseEnedis2026LoadCurve(envelope([ok, { ...ok, v: 'abc' }]), paris))
        .message,
    ).toMatch(/points\[1\] value "abc" is not a number/);
    malformedError(() => parseEnedis2026LoadCurve(envelope([{ ...ok, v: '-5' }]), paris));
    malformedError(() => parseEnedis2026LoadCurve(envelope([{ ...ok, v: '' }]), paris));
    malformedError(() =>
      parseEnedis2026LoadCurve(envelope([{ ...ok, d: '2026-02-30 00:30:00' }]), paris),
    );
    malformedError(() =>
      parseEnedis2026LoadCurve(envelope([{ ...ok, d: '29/09/2026 00:30' }]), paris),
    );
    malformedError(() => parseEnedis2026LoadCurve(envelope([{ ...ok, p: 'half an hour' }]), paris));
    expect(
      malformedError(() => parseEnedis2026LoadCurve(envelope([ok], 'VA'), paris)).message,
    ).toMatch(/unit "VA"/);
    malformedError(() => parseEnedis2026LoadCurve({ grandeur: 'none' }, paris));
    malformedError(() => parseEnedis2026LoadCurve([ok], paris));
    malformedError(() => parseEnedis2026LoadCurve(null, paris));
  });

  it('reads Wh points as energy (Wh → kWh)', () => {
    const rs = parseEnedis2026LoadCurve(
      envelope([{ v: '1250', d: '2026-09-29 00:30:00', p: 'PT30M' }], 'Wh'),
      paris,
    );
    expect(rs[0]?.kwh).toBe(1.25);
  });
});

describe('Enedis v5 load curve', () => {
  it('reads the v5 envelope with steps of 30, 60 and 10 minutes', () => {
    const rs = parseEnedisV5LoadCurve(fixture('enedis-v5-load-curve.json'), paris);
    expect(rs.map((r) => [r.start.toISOString(), r.intervalSeconds, r.kwh])).toEqual([
      ['2019-05-05T22:00:00.000Z', 1800, 0.27],
      ['2019-05-05T22:30:00.000Z', 1800, 0.617],
      ['2019-05-05T23:00:00.000Z', 1800, 0],
      ['2019-05-05T23:30:00.000Z', 3600, 3],
      ['2019-05-06T00:30:00.000Z', 600, 0.25],
    ]);
  });

  it('gives 92 quarter-hours on the March change day', () => {
    const rs = parseEnedisV5LoadCurve(fixture('enedis-v5-march-dst-15min.json'), paris);
    expect(starts(rs)).toEqual(utcSeries('2026-03-28T23:00:00Z', 92, 15));
  });

  it('tells the two envelopes apart for saved answers', () => {
    expect(parseEnedisLoadCurve(fixture('enedis-v5-load-curve.json'), paris)).toHaveLength(5);
    expect(parseEnedisLoadCurve(fixture('enedis-2026-load-curve.json'), paris)).toHaveLength(4);
  });

  it('rejects a v5 answer without meter_reading and one without a unit', () => {
    malformedError(() => parseEnedisV5LoadCurve({ readings: [] }, paris));
    const noUnit = {
      meter_reading: {
        interval_reading: [{ value: '1', date: '2019-05-06 00:30:00', interval_length: 'PT30M' }],
      },
    };
    malformedError(() => parseEnedisV5LoadCurve(noUnit, paris));
    expect(parseEnedisV5LoadCurve({ meter_reading: { interval_reading: [] } }, paris)).toEqual([]);
  });
});

describe('Enedis daily consumption', () => {
  it('gives one reading per local day, the October change day lasting 25 hours', () => {
    const rs = parseEnedisDaily(fixture('enedis-2026-daily.json'), paris);
    expect(rs.map((r) => [r.start.toISOString(), r.intervalSeconds, r.kwh])).toEqual([
      ['2025-10-24T22:00:00.000Z', 86400, 12.345],
      ['2025-10-25T22:00:00.000Z', 90000, 13.5],
      ['2025-10-26T23:00:00.000Z', 86400, 9.87],
    ]);
  });

  it('reads the v5 daily envelope and refuses a power unit', () => {
    const v5 = {
      meter_reading: {
        reading_type: { measurement_kind: 'energy', unit: 'Wh', aggregate: 'sum' },
        interval_reading: [{ value: '4200', date: '2026-03-29' }],
      },
    };
    expect(parseEnedisDaily(v5, paris)).toEqual([
      { start: new Date('2026-03-28T23:00:00Z'), intervalSeconds: 82800, kwh: 4.2 },
    ]);
    malformedError(() =>
      parseEnedisDaily(envelope([{ v: '1', d: '2026-03-29', p: 'P1D' }], 'W'), paris),
    );
  });
});
