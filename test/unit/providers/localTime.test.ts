import { describe, expect, it } from 'vitest';
import {
  expectedIntervalsForDay,
  localDayStartIso,
  localDaySeconds,
} from '../../../src/providers/localTime.js';

describe('local days', () => {
  it('counts 46, 48 and 50 half-hours and 92/96/100 quarter-hours in Europe/Paris', () => {
    expect(expectedIntervalsForDay('2026-03-29', 'Europe/Paris', 1800)).toBe(46);
    expect(expectedIntervalsForDay('2026-06-15', 'Europe/Paris', 1800)).toBe(48);
    expect(expectedIntervalsForDay('2025-10-26', 'Europe/Paris', 1800)).toBe(50);
    expect(expectedIntervalsForDay('2026-03-29', 'Europe/Paris', 900)).toBe(92);
    expect(expectedIntervalsForDay('2025-10-26', 'Europe/Paris', 900)).toBe(100);
    expect(localDaySeconds('2025-10-26', 'Europe/Brussels')).toBe(90000);
  });

  it('writes local midnight with the offset of that day', () => {
    expect(localDayStartIso('2026-11-01', 'Europe/Brussels')).toBe('2026-11-01T00:00:00+01:00');
    expect(localDayStartIso('2026-07-01', 'Europe/Brussels')).toBe('2026-07-01T00:00:00+02:00');
    expect(() => localDayStartIso('2026-13-01', 'Europe/Brussels')).toThrow(/Not a day/);
  });
});
