import { describe, expect, it } from 'vitest';
import {
  compareDailyAverages,
  daysInMonth,
  lastCompleteMonth,
  monthFigures,
} from '../../../src/analytics/monthComparison.js';
import type { StatsDataPoint } from '../../../src/analytics/stats.js';

/** A month's row of statistics with what the comparison reads. */
function row(period: string, total: number, coverage: number, count = 1000): StatsDataPoint {
  return {
    period,
    start: `${period}-01T00:00:00.000Z`,
    end: `${period}-28T00:00:00.000Z`,
    total,
    avg: count > 0 ? total / count : null,
    min: null,
    max: null,
    count,
    expected_count: Math.round(count / Math.max(coverage, 1e-9)),
    coverage,
    comparison: { previous_period: null, previous_year: null },
  };
}

describe('month comparison', () => {
  it('counts the local days of a month, leap years and DST months included', () => {
    expect(daysInMonth('2025-10')).toBe(31);
    expect(daysInMonth('2025-09')).toBe(30);
    expect(daysInMonth('2024-02')).toBe(29);
    expect(daysInMonth('2025-03')).toBe(31);
  });

  it('the last complete month is the one before today in the building zone', () => {
    expect(lastCompleteMonth(new Date('2025-11-05T09:00:00Z'), 'Europe/Brussels')).toBe('2025-10');
    // 1 January 00:30 in Brussels is still 31 December in UTC.
    expect(lastCompleteMonth(new Date('2025-12-31T23:30:00Z'), 'Europe/Brussels')).toBe('2025-12');
  });

  it('projects the daily average over the whole month when readings are missing', () => {
    expect(monthFigures(row('2025-10', 310, 1))?.daily_average).toBe(10);
    // Half of September covered with 150 kWh: 10 kWh a day, not 5.
    expect(monthFigures(row('2025-09', 150, 0.5))?.daily_average).toBe(10);
    expect(monthFigures(row('2025-09', 0, 0, 0))).toBeNull();
    expect(monthFigures(undefined)).toBeNull();
  });

  it('compares daily averages only when both months are at least half covered', () => {
    const october = monthFigures(row('2025-10', 341, 1));
    const september = monthFigures(row('2025-09', 300, 1));
    // 11 kWh a day against 10: +10 %.
    expect(compareDailyAverages(october, september)).toBe('+10.0%');
    const sparse = monthFigures(row('2025-09', 20, 0.2));
    expect(compareDailyAverages(october, sparse)).toBeNull();
    expect(compareDailyAverages(october, null)).toBeNull();
  });
});
