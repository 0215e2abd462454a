import { describe, expect, test } from 'vitest';
import { createProgress, formatDuration, progressLine } from '../../../src/ui/progress.js';

function fakeStream(columns = 80): { write(chunk: string): void; columns: number; out: string[] } {
  const out: string[] = [];
  return { write: (chunk) => void out.push(chunk), columns, out };
}

describe('createProgress', () => {
  test('writes nothing at all when disabled', () => {
    const stream = fakeStream();
    const progress = createProgress({ stream, total: 10, label: 'syncing', enabled: false });
    for (let i = 0; i < 10; i++) progress.tick();
    progress.setTotal(20);
    progress.done();
    expect(stream.out).toEqual([]);
  });

  test('redraws at most every 100 ms of the clock and ends the line on done', () => {
    const stream = fakeStream();
    let clock = 0;
    const progress = createProgress({
      stream,
      total: 100,
      label: 'syncing',
      enabled: true,
      now: () => clock,
    });
    for (let i = 0; i < 50; i++) {
      clock += 10; // 50 ticks over 500 ms of the fake clock
      progress.tick();
    }
    const redraws = stream.out.length;
    expect(redraws).toBeGreaterThanOrEqual(4);
    expect(redraws).toBeLessThanOrEqual(6);
    progress.done();
    expect(stream.out[stream.out.length - 1]).toBe('\n');
    expect(stream.out[stream.out.length - 2]).toContain('50/100');
    progress.tick(); // after done: silent
    expect(stream.out[stream.out.length - 1]).toBe('\n');
  });
});

describe('progressLine', () => {
  test('shows count, total, percent, rate and ETA', () => {
    const line = progressLine({
      label: 'syncing',
      count: 30,
      total: 120,
      elapsedMs: 10_000,
      columns: 100,
    });
    expect(line).toContain('30/120');
    expect(line).toContain('25%');
    expect(line).toContain('3.0/s');
    expect(line).toContain('ETA 0:30');
  });

  test('count only when the total is unknown, and cut to the terminal width', () => {
    const line = progressLine({
      label: 'importing',
      count: 7,
      total: 0,
      elapsedMs: 0,
      columns: 80,
    });
    expect(line).toBe('importing  7');
    const narrow = progressLine({
      label: 'syncing',
      count: 1,
      total: 9,
      elapsedMs: 1,
      columns: 20,
    });
    expect(narrow.length).toBeLessThan(20);
  });

  test('durations read as m:ss or h:mm:ss', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
