import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  type DailyAggregate,
  comparisonLookbackStart,
  computeStatistics,
  formatChange,
} from '../../../src/analytics/stats.js';

const Z = 'Europe/Brussels';

/**
 * Daily aggregates of a half-hourly curve whose interval values follow `valueAt` (kWh),
 * counting each local day's real half-hours, as the database's daily aggregate would.
 */
function aggregates(
  first: string,
  endExclusive: string,
  valueAt: (day: string, i: number) => number,
  skip: (day: string) => boolean = () => false,
): DailyAggregate[] {
  const out: DailyAggregate[] = [];
  let d = DateTime.fromISO(first, { zone: Z });
  const end = DateTime.fromISO(endExclusive, { zone: Z });
  for (let guard = 0; d < end && guard < 2000; guard++) {
    const day = d.toISODate() as string;
    const next = d.plus({ days: 1 });
    const count = Math.round(next.diff(d).as('minutes') / 30);
    if (!skip(day)) {
      const values = Array.from({ length: count }, (_, i) => valueAt(day, i));
      out.push({
        day,
        total: values.reduce((s, v) => s + v, 0),
        min: Math.min(...values),
        max: Math.max(...values),
        count,
        intervalSeconds: 1800,
      });
    }
    d = next;
  }
  return out;
}

const flat = (v: number) => () => v;

describe('computeStatistics', () => {
  it('counts every real half-hour of a DST month and totals it', () => {
    const days = aggregates('2025-10-01', '2025-11-01', (_day, i) => 0.1 + (i % 4) * 0.05);
    const expectedTotal = days.reduce((s, d) => s + d.total, 0);
    const stats = computeStatistics(days, {
      period: 'month',
      zone: Z,
      from: '2025-10-01',
      to: '2025-11-01',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    });
    expect(stats.data_points).toHaveLength(1);
    const oct = stats.data_points[0]!;
    expect(oct.period).toBe('2025-10');
    expect(oct.count).toBe(1490);
    expect(oct.expected_count).toBe(1490);
    expect(oct.coverage).toBe(1);
    expect(oct.total).toBeCloseTo(expectedTotal, 6);
    expect(oct.avg).toBeCloseTo(expectedTotal / 1490, 6);
    expect(oct.min).toBeCloseTo(0.1, 9);
    expect(oct.max).toBeCloseTo(0.25, 9);
    expect(stats.statistics.total).toBeCloseTo(expectedTotal, 6);
    expect(stats.statistics.count).toBe(1490);
    expect(stats.date_range).toEqual({
      start: '2025-09-30T22:00:00.000Z',
      end: '2025-10-31T23:00:00.000Z',
    });
  });

  it('shows missing days as coverage below 1', () => {
    const missing = new Set(['2025-10-10', '2025-10-11', '2025-10-12', '2025-10-13', '2025-10-14']);
    const days = aggregates('2025-10-01', '2025-11-01', flat(0.2), (d) => missing.has(d));
    const stats = computeStatistics(days, {
      period: 'month',
      zone: Z,
      from: '2025-10-01',
      to: '2025-11-01',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    });
    const oct = stats.data_points[0]!;
    expect(oct.count).toBe(1490 - 5 * 48);
    expect(oct.expected_count).toBe(1490);
    expect(oct.coverage).toBeCloseTo((1490 - 240) / 1490, 4);
    expect(oct.total).toBeCloseTo((1490 - 240) * 0.2, 6);
  });

  it('lists empty periods with zero coverage and no average', () => {
    const days = aggregates('2025-01-01', '2025-02-01', flat(0.2));
    const stats = computeStatistics(days, {
      period: 'month',
      zone: Z,
      from: '2025-01-01',
      to: '2025-03-01',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    });
    expect(stats.data_points.map((p) => p.period)).toEqual(['2025-01', '2025-02']);
    const feb = stats.data_points[1]!;
    expect(feb).toMatchObject({ count: 0, total: 0, avg: null, coverage: 0, expected_count: 1344 });
  });

  it('compares with the previous period and the year before, both ways', () => {
    const value = (day: string): number =>
      day < '2025-01-01' ? 0.3 : day < '2025-10-01' ? 0.2 : 0.25;
    const days = [
      ...aggregates('2024-10-01', '2024-11-01', (d) => value(d)),
      ...aggregates('2025-09-01', '2025-11-01', (d) => value(d)),
    ];
    const totalOf = (from: string, to: string) =>
      days.filter((d) => d.day >= from && d.day < to).reduce((s, d) => s + d.total, 0);
    const oct25 = totalOf('2025-10-01', '2025-11-01');
    const sep25 = totalOf('2025-09-01', '2025-10-01');
    const oct24 = totalOf('2024-10-01', '2024-11-01');

    const stats = computeStatistics(days, {
      period: 'month',
      zone: Z,
      from: '2025-10-01',
      to: '2025-11-01',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    });
    const cmp = stats.data_points[0]!.comparison;
    expect(cmp.previous_period).toBe(formatChange(oct25 / sep25));
    expect(cmp.previous_period!.startsWith('+')).toBe(true);
    expect(cmp.previous_year).toBe(formatChange(oct25 / oct24));
    expect(cmp.previous_year!.startsWith('-')).toBe(true);
    expect(stats.comparison).toEqual(cmp);
    // September 2025 has no September 2024 nor August 2025 to compare with.
    const sep = computeStatistics(days, {
      period: 'month',
      zone: Z,
      from: '2025-09-01',
      to: '2025-10-01',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    });
    expect(sep.data_points[0]!.comparison).toEqual({ previous_period: null, previous_year: null });
  });

  it('normalises a partly covered period by its coverage, and gives up below half', () => {
    const days = [
      ...aggregates('2025-09-01', '2025-10-01', flat(0.2)),
      // October at the same rate, its last third missing.
      ...aggregates('2025-10-01', '2025-10-21', flat(0.2)),
    ];
    const base = {
      period: 'month' as const,
      zone: Z,
      from: '2025-10-01',
      to: '2025-11-01',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    };
    const twoThirds = computeStatistics(days, base).data_points[0]!;
    expect(twoThirds.coverage).toBeLessThan(1);
    // Same rate: the projected October (31 days + the extra hour) against a 30-day September.
    expect(twoThirds.comparison.previous_period).toBe(formatChange(1490 / 1440));

    const third = computeStatistics(
      days.filter((d) => d.day < '2025-10-11'),
      base,
    ).data_points[0]!;
    expect(third.coverage).toBeLessThan(0.5);
    expect(third.comparison.previous_period).toBeNull();
  });

  it('groups ISO weeks across the new year', () => {
    const days = aggregates('2024-12-23', '2025-01-13', flat(0.1));
    const stats = computeStatistics(days, {
      period: 'week',
      zone: Z,
      from: '2024-12-30',
      to: '2025-01-13',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    });
    expect(stats.data_points.map((p) => p.period)).toEqual(['2025-W01', '2025-W02']);
    expect(stats.data_points[0]!.count).toBe(7 * 48);
    expect(stats.data_points[0]!.comparison.previous_period).toBe('+0.0%');
  });

  it('measures coverage in time, whatever the step', () => {
    const day = (d: string, count: number, intervalSeconds: number, coveredSeconds?: number) => ({
      day: d,
      total: count * 0.05,
      min: 0.05,
      max: 0.05,
      count,
      intervalSeconds,
      ...(coveredSeconds === undefined ? {} : { coveredSeconds }),
    });
    const stats = computeStatistics(
      // Ten-minute steps; then a day that switched from 10 to 30 minutes at noon.
      [day('2025-06-02', 144, 600), day('2025-06-03', 72 + 24, 600, 72 * 600 + 24 * 1800)],
      {
        period: 'day',
        zone: Z,
        from: '2025-06-02',
        to: '2025-06-04',
        metricType: 'electricity_consumption',
        unit: 'kWh',
      },
    );
    expect(stats.data_points.map((p) => [p.coverage, p.expected_count])).toEqual([
      [1, 144],
      [1, 144],
    ]);
  });

  it('rejects a reversed range', () => {
    expect(() =>
      computeStatistics([], {
        period: 'day',
        from: '2025-02-01',
        to: '2025-01-01',
        metricType: 'electricity_consumption',
        unit: 'kWh',
      }),
    ).toThrow(/before/);
  });
});

describe('comparisonLookbackStart', () => {
  it('reaches back to the same period a year earlier', () => {
    expect(comparisonLookbackStart('2025-10-01', 'month', Z)).toBe('2024-10-01');
    expect(comparisonLookbackStart('2025-10-15', 'month', Z)).toBe('2024-10-01');
    expect(comparisonLookbackStart('2025-01-15', 'week', Z)).toBe('2024-01-15');
    expect(comparisonLookbackStart('2025-03-01', 'year', Z)).toBe('2024-01-01');
    expect(comparisonLookbackStart('2025-03-01', 'day', Z)).toBe('2024-03-01');
  });
});

describe('formatChange', () => {
  it('writes the seed style', () => {
    expect(formatChange(1.052)).toBe('+5.2%');
    expect(formatChange(0.97)).toBe('-3.0%');
    expect(formatChange(1)).toBe('+0.0%');
  });
});
