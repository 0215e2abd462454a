import { describe, expect, it } from 'vitest';
import { intervalSlot, nextDailyRun, withJitter } from '../../../src/sync/scheduler.js';
import { planWindows } from '../../../src/sync/windows.js';

describe('nextDailyRun', () => {
  it('is today at the configured local time when it has not passed', () => {
    expect(
      nextDailyRun(new Date('2026-01-10T00:30:00Z'), '02:00', 'Europe/Brussels').toISOString(),
    ).toBe('2026-01-10T01:00:00.000Z');
  });
  it('is tomorrow once the time has passed', () => {
    expect(
      nextDailyRun(new Date('2026-01-10T01:00:00Z'), '02:00', 'Europe/Brussels').toISOString(),
    ).toBe('2026-01-11T01:00:00.000Z');
  });
  it('keeps local time across the spring change (CET → CEST)', () => {
    // 2026-03-29: 02:00 does not exist in Brussels; the run happens at the first instant after the gap.
    const r = nextDailyRun(new Date('2026-03-28T12:00:00Z'), '02:00', 'Europe/Brussels');
    expect(r.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    const next = nextDailyRun(new Date('2026-03-29T12:00:00Z'), '02:00', 'Europe/Brussels');
    expect(next.toISOString()).toBe('2026-03-30T00:00:00.000Z'); // 02:00 CEST
  });
  it('runs once on the autumn change day, when 02:00 happens twice', () => {
    // 2026-10-25: 02:00 CEST (00:00Z) and 02:00 CET (01:00Z); one run, at the second.
    const r = nextDailyRun(new Date('2026-10-24T12:00:00Z'), '02:00', 'Europe/Brussels');
    expect(r.toISOString()).toBe('2026-10-25T01:00:00.000Z');
    const after = nextDailyRun(r, '02:00', 'Europe/Brussels');
    expect(after.toISOString()).toBe('2026-10-26T01:00:00.000Z');
  });
  it('jitter stays within the window', () => {
    const at = new Date('2026-01-10T01:00:00Z');
    expect(withJitter(at, 300, () => 0).getTime()).toBe(at.getTime());
    expect(withJitter(at, 300, () => 0.999).getTime()).toBeLessThan(at.getTime() + 300_000);
  });
});

describe('planWindows', () => {
  const base = {
    today: '2026-11-24',
    historyDays: 730,
    maxDaysPerCall: 7,
    overlapDays: 3,
    dataStartDay: null,
    gapDays: [],
    maxGapWindows: 20,
  };
  it('a first sync backfills the provider history in 7-day windows ending today (excluded)', () => {
    const w = planWindows({ ...base, checkpointDay: null });
    expect(w[0]?.fromDay).toBe('2024-11-25');
    expect(w[w.length - 1]?.toDay).toBe('2026-11-24');
    expect(w.every((x) => x.kind === 'range')).toBe(true);
    expect(w.length).toBe(Math.ceil(729 / 7));
  });
  it('later syncs start at the checkpoint minus the overlap', () => {
    const w = planWindows({ ...base, checkpointDay: '2026-11-23' });
    expect(w).toEqual([{ fromDay: '2026-11-20', toDay: '2026-11-24', kind: 'range' }]);
  });
  it('re-asks gap days outside the range, grouped, oldest first, bounded', () => {
    const w = planWindows({
      ...base,
      checkpointDay: '2026-11-23',
      gapDays: ['2026-10-01', '2026-10-02', '2026-10-09', '2020-01-01'],
      maxGapWindows: 1,
    });
    expect(w[0]).toEqual({ fromDay: '2026-10-01', toDay: '2026-10-03', kind: 'gap' });
    expect(w.filter((x) => x.kind === 'gap')).toHaveLength(1);
  });
  it('--from/--to bound the range and never go past today', () => {
    const w = planWindows({
      ...base,
      checkpointDay: null,
      fromDay: '2026-11-01',
      toDay: '2026-12-31',
    });
    expect(w[0]?.fromDay).toBe('2026-11-01');
    expect(w[w.length - 1]?.toDay).toBe('2026-11-24');
  });
});

describe('intervalSlot', () => {
  it('starts on the clock multiples of the interval, the same for every daemon', () => {
    const a = intervalSlot(new Date('2026-12-01T22:07:59.999Z'), 5);
    const b = intervalSlot(new Date('2026-12-01T22:05:00.000Z'), 5);
    expect(a.start.toISOString()).toBe('2026-12-01T22:05:00.000Z');
    expect(a.next.toISOString()).toBe('2026-12-01T22:10:00.000Z');
    expect(b).toEqual(a);
  });
  it('moves to the next slot exactly at its boundary', () => {
    const s = intervalSlot(new Date('2026-12-01T22:10:00.000Z'), 5);
    expect(s.start.toISOString()).toBe('2026-12-01T22:10:00.000Z');
  });
});
