import { describe, expect, it } from 'vitest';
import { parseOresLoadCurve } from '../../../src/providers/parseOres.js';
import { ProviderCallError } from '../../../src/providers/errors.js';
import { fixture, utcSeries } from './fixtures.js';

function answer(readings: unknown[], unit: unknown = 'Wh'): unknown {
  return {
    usage_point_id: '541448820000000001',
    reading_type: { unit, measuring_period: 'PT30M' },
    interval_readings: readings,
  };
}

function expectMalformed(json: unknown): void {
  let caught: unknown;
  try {
    parseOresLoadCurve(json);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ProviderCallError);
  expect((caught as ProviderCallError).kind).toBe('malformed');
}

describe('ORES load curve', () => {
  it('reads Wh per interval as kWh, numeric strings too, last duplicate kept', () => {
    const rs = parseOresLoadCurve(fixture('ores-load-curve.json'));
    expect(rs.map((r) => [r.start.toISOString(), r.intervalSeconds, r.kwh])).toEqual([
      ['2026-10-31T23:00:00.000Z', 1800, 12.5],
      ['2026-10-31T23:30:00.000Z', 1800, 0.333],
      ['2026-11-01T00:00:00.000Z', 1800, 0.4],
    ]);
  });

  it('gives 50 half-hours on the October change day from the offsets given', () => {
    const rs = parseOresLoadCurve(fixture('ores-october-dst.json'));
    expect(rs.map((r) => r.start.toISOString())).toEqual(utcSeries('2025-10-25T22:00:00Z', 50, 30));
  });

  it('treats an empty list as no readings, and a missing one as a malformed answer', () => {
    expect(parseOresLoadCurve(answer([]))).toEqual([]);
    expectMalformed({ usage_point_id: '541448820000000001' });
    expectMalformed({ status: 'OK', data: null });
  });

  it('uses measuring_period when a reading has no end', () => {
    const rs = parseOresLoadCurve(answer([{ value: 250, start: '2026-11-01T00:00:00+01:00' }]));
    expect(rs).toEqual([
      { start: new Date('2026-10-31T23:00:00Z'), intervalSeconds: 1800, kwh: 0.25 },
    ]);
  });

  it('rejects bad values, dates without offset, unknown units and reversed intervals', () => {
    const ok = { value: 1, start: '2026-11-01T00:00:00+01:00', end: '2026-11-01T00:30:00+01:00' };
    expectMalformed(answer([{ ...ok, value: 'lots' }]));
    expectMalformed(answer([{ ...ok, value: -1 }]));
    expectMalformed(answer([{ ...ok, start: '2026-11-01T00:00:00' }]));
    expectMalformed(answer([{ ...ok, end: '2026-10-31T23:30:00+01:00' }]));
    expectMalformed(answer([ok], 'litres'));
    expectMalformed({ interval_readings: {} });
    expectMalformed('not json object');
  });
});
