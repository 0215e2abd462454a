import { describe, expect, it } from 'vitest';
import {
  estimateCompletion,
  monthsBefore,
  nextWindow,
  planMeter,
  sustainedRate,
} from '../../../src/sync/onboardingPlan.js';

const plan = (production = false) =>
  planMeter({
    today: '2026-11-24',
    curveHistoryDays: 730,
    curveDaysPerCall: 7,
    dailyHistoryMonths: 36,
    dailyDaysPerCall: 365,
    production,
  });

describe('onboarding plan', () => {
  it('yesterday in one call, 36 months of daily totals in three, the 24-month curve in 105', () => {
    const [y, d, c] = plan();
    expect(y).toEqual({
      stage: 'yesterday',
      untilDay: '2026-11-23',
      nextTo: '2026-11-24',
      callsLeft: 1,
    });
    expect(d?.callsLeft).toBe(3);
    // 36 months hold a leap day (1,096 days): the oldest day is left out, not a fourth call.
    expect(d?.untilDay).toBe('2023-11-25');
    expect(c).toMatchObject({
      stage: 'curve',
      nextTo: '2026-11-23',
      untilDay: '2024-11-24',
      callsLeft: 105,
    });
    // A meter feeding the grid: production too, twice the calls.
    expect(plan(true).map((s) => s.callsLeft)).toEqual([2, 6, 210]);
  });

  it('walks back from the newest days, the last window cut at the stage start', () => {
    expect(nextWindow('2026-11-01', '2026-11-23', 7)).toEqual({
      fromDay: '2026-11-16',
      toDay: '2026-11-23',
    });
    expect(nextWindow('2026-11-20', '2026-11-23', 7)).toEqual({
      fromDay: '2026-11-20',
      toDay: '2026-11-23',
    });
    expect(nextWindow('2026-11-23', '2026-11-23', 7)).toBeNull();
  });

  it('months back on the calendar, the day clamped to the month', () => {
    expect(monthsBefore('2026-11-24', 36)).toBe('2023-11-24');
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
  });

  it('ETA: earlier stages first, then turns within the last stage, at the tighter quota', () => {
    const rate = sustainedRate(5, 1000);
    expect(rate).toBeCloseTo(1000 / 3600);
    const eta = estimateCompletion(
      [
        { deviceId: 'a', stage: 'curve', callsLeft: 100 },
        { deviceId: 'b', stage: 'curve', callsLeft: 10 },
        { deviceId: 'c', stage: 'daily', callsLeft: 3 },
        { deviceId: 'c', stage: 'curve', callsLeft: 105 },
      ],
      1,
    );
    // b: 3 daily calls, then 10 turns each of a, b and c.
    expect(eta.get('b')).toBe(3 + 10 + 10 + 10);
    expect(eta.get('a')).toBe(3 + 100 + 10 + 100);
    expect(eta.get('c')).toBe(3 + 100 + 10 + 105);
  });
});
