import { describe, expect, it } from 'vitest';
import {
  expectedIntervals,
  localDayStart,
  parseDateArg,
  periodEnd,
  periodKey,
  periodLabels,
  periodOfLabel,
  periodStart,
  previousPeriod,
  sameLastYear,
} from '../../../src/analytics/periods.js';

const Z = 'Europe/Brussels';

describe('local periods across daylight saving time', () => {
  it('a fully covered October has 1490 half-hours and March 1486', () => {
    expect(expectedIntervals(periodStart('2025-10', Z), periodEnd('2025-10', Z), 1800)).toBe(1490);
    expect(expectedIntervals(periodStart('2025-03', Z), periodEnd('2025-03', Z), 1800)).toBe(1486);
    expect(expectedIntervals(periodStart('2025-01', Z), periodEnd('2025-01', Z), 1800)).toBe(1488);
  });

  it('the change days hold 50 and 46 half-hours, 100 and 92 quarter-hours', () => {
    const oct = [localDayStart('2025-10-26', Z), localDayStart('2025-10-27', Z)] as const;
    const mar = [localDayStart('2025-03-30', Z), localDayStart('2025-03-31', Z)] as const;
    expect(expectedIntervals(...oct, 1800)).toBe(50);
    expect(expectedIntervals(...mar, 1800)).toBe(46);
    expect(expectedIntervals(...oct, 900)).toBe(100);
    expect(expectedIntervals(...mar, 900)).toBe(92);
  });

  it('period bounds are local midnights in UTC', () => {
    expect(periodStart('2025-10', Z).toISOString()).toBe('2025-09-30T22:00:00.000Z');
    expect(periodEnd('2025-10', Z).toISOString()).toBe('2025-10-31T23:00:00.000Z');
    expect(periodStart('2025', Z).toISOString()).toBe('2024-12-31T23:00:00.000Z');
    expect(periodStart('2025-W01', Z).toISOString()).toBe('2024-12-29T23:00:00.000Z');
    expect(periodEnd('2025-10-26', Z).getTime() - periodStart('2025-10-26', Z).getTime()).toBe(
      25 * 3600 * 1000,
    );
  });
});

describe('period labels', () => {
  it('labels a day for each period kind', () => {
    expect(periodKey('2025-01-15', 'day')).toBe('2025-01-15');
    expect(periodKey('2025-01-15', 'week')).toBe('2025-W03');
    expect(periodKey('2025-01-15', 'month')).toBe('2025-01');
    expect(periodKey('2025-01-15', 'year')).toBe('2025');
  });

  it('uses ISO week-years across year boundaries', () => {
    expect(periodKey('2024-12-30', 'week')).toBe('2025-W01');
    expect(periodKey('2021-01-03', 'week')).toBe('2020-W53');
    expect(periodKey('2027-01-01', 'week')).toBe('2026-W53');
    expect(previousPeriod('2025-W01')).toBe('2024-W52');
    expect(previousPeriod('2021-W01')).toBe('2020-W53');
  });

  it('steps back one period', () => {
    expect(previousPeriod('2025-01')).toBe('2024-12');
    expect(previousPeriod('2025-01-01')).toBe('2024-12-31');
    expect(previousPeriod('2025-03-01')).toBe('2025-02-28');
    expect(previousPeriod('2025')).toBe('2024');
  });

  it('finds the same period a year earlier', () => {
    expect(sameLastYear('2025-01-15')).toBe('2024-01-15');
    expect(sameLastYear('2024-02-29')).toBe('2023-02-28');
    expect(sameLastYear('2025-W03')).toBe('2024-W03');
    expect(sameLastYear('2021-W01')).toBe('2020-W01');
    expect(sameLastYear('2020-W53')).toBe('2019-W52');
    expect(sameLastYear('2026-W53')).toBe('2025-W52');
    expect(sameLastYear('2025-10')).toBe('2024-10');
  });

  it('lists the periods spanning a range and rejects bad labels', () => {
    expect(periodLabels('2024-12-15', '2025-02-03', 'month')).toEqual([
      '2024-12',
      '2025-01',
      '2025-02',
    ]);
    expect(periodLabels('2024-12-30', '2025-01-05', 'week')).toEqual(['2025-W01']);
    expect(periodOfLabel('2025-W54')).toBeNull();
    expect(periodOfLabel('2025-13')).toBeNull();
    expect(periodOfLabel('2025-02-30')).toBeNull();
  });
});

describe('parseDateArg', () => {
  it('reads a day as its local midnight in the zone', () => {
    expect((parseDateArg('2025-03-30', Z) as Date).toISOString()).toBe('2025-03-29T23:00:00.000Z');
    expect((parseDateArg('2025-07-01', Z) as Date).toISOString()).toBe('2025-06-30T22:00:00.000Z');
    expect((parseDateArg('2025-07-01', 'UTC') as Date).toISOString()).toBe(
      '2025-07-01T00:00:00.000Z',
    );
  });

  it('reads an instant with Z or an offset', () => {
    expect((parseDateArg('2025-01-15T10:00:00+02:00', Z) as Date).toISOString()).toBe(
      '2025-01-15T08:00:00.000Z',
    );
    expect((parseDateArg('2025-01-15T10:00Z', Z) as Date).toISOString()).toBe(
      '2025-01-15T10:00:00.000Z',
    );
  });

  it('returns a message for anything else', () => {
    for (const bad of ['2025-02-30', '2025-01-15T10:00:00', 'yesterday', '15/01/2025', '']) {
      const r = parseDateArg(bad, Z);
      expect(typeof r).toBe('string');
      expect(r as string).toMatch(/date/i);
    }
    expect(parseDateArg('2025-01-15', 'Mars/Olympus')).toBe('Unknown time zone: Mars/Olympus');
  });
});

describe('periodKey against luxon, every day of 2019–2031', () => {
  it('gives the same ISO week, month and year labels', async () => {
    const { DateTime } = await import('luxon');
    const { periodKey } = await import('../../../src/analytics/periods.js');
    let d = DateTime.fromISO('2019-01-01', { zone: 'UTC' });
    const end = DateTime.fromISO('2032-01-01', { zone: 'UTC' });
    let n = 0;
    for (; d < end; d = d.plus({ days: 1 }), n++) {
      const day = d.toISODate() as string;
      expect(periodKey(day, 'week')).toBe(
        `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`,
      );
      expect(periodKey(day, 'month')).toBe(day.slice(0, 7));
      expect(periodKey(day, 'year')).toBe(String(d.year));
    }
    expect(n).toBe(4748);
    expect(() => periodKey('2025-02-29', 'month')).toThrow(/Not a calendar day/);
  });
});
