import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  isLocalDay,
  localDayOf,
  localDayStart,
} from '../../../src/domain/localDays.js';

describe('local days', () => {
  it('adds calendar days across months, years and DST changes', () => {
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(() => addDays('2026-02-30', 1)).toThrow(/Not a calendar day/);
  });

  it('counts whole days between two days, null for a non-day', () => {
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-03-30', '2026-03-28')).toBe(-2);
    expect(daysBetween('2026-13-01', '2026-03-28')).toBeNull();
  });

  it('starts local days at their zone midnight, 23 or 25 hours apart on DST days', () => {
    const spring = localDayStart('2026-03-29', 'Europe/Brussels');
    const next = localDayStart('2026-03-30', 'Europe/Brussels');
    expect(spring.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect((next.getTime() - spring.getTime()) / 3_600_000).toBe(23);
    const autumn = localDayStart('2026-10-25', 'Europe/Paris');
    expect(
      (localDayStart('2026-10-26', 'Europe/Paris').getTime() - autumn.getTime()) / 3_600_000,
    ).toBe(25);
    expect(() => localDayStart('2026-1-5', 'Europe/Paris')).toThrow(/Not a calendar day/);
    expect(() => localDayStart('2026-01-05', 'Mars/Olympus')).toThrow(/Not a calendar day or zone/);
  });

  it('names the local day of an instant', () => {
    expect(localDayOf(new Date('2026-11-24T23:30:00Z'), 'Europe/Brussels')).toBe('2026-11-25');
    expect(isLocalDay('2026-02-29')).toBe(false);
    expect(isLocalDay('2028-02-29')).toBe(true);
  });
});
