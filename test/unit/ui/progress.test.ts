import { describe, expect, test } from 'vitest';
import { createProgress, formatDuration } from '../../../src/ui/progress.js';

/** A terminal-like stream that keeps what was written. */
function fakeTerminal() {
  const out: string[] = [];
  return {
    out,
    isTTY: true,
    columns: 80,
    write(chunk: string) {
      out.push(chunk);
      return true;
    },
    cursorTo() {
      return true;
    },
    moveCursor() {
      return true;
    },
    clearLine() {
      return true;
    },
    clearScreenDown() {
      return true;
    },
    on() {},
    removeListener() {},
  };
}

describe('createProgress', () => {
  test('disabled: writes nothing, even log lines pass straight through only when asked', () => {
    const stream = fakeTerminal();
    const progress = createProgress({ stream, total: 10, label: 'syncing', enabled: false });
    progress.tick(5);
    progress.setTotal(20);
    progress.done();
    expect(stream.out).toEqual([]);
    // Logs still reach the stream when there is no bar to print them above.
    progress.writeAbove('INFO sync success\n');
    expect(stream.out).toEqual(['INFO sync success\n']);
  });

  test('a log line written while the bar runs gets its own line, and the bar comes back under it', () => {
    const stream = fakeTerminal();
    const progress = createProgress({ stream, total: 100, label: 'sync', enabled: true });
    progress.tick(40);
    progress.writeAbove('INFO sync success prm=123\n');
    progress.tick(10);
    progress.done();
    const text = stream.out.join('');
    const logAt = text.indexOf('INFO sync success prm=123\n');
    expect(logAt).toBeGreaterThanOrEqual(0);
    // The log line starts a line of its own: nothing of the bar right before it.
    const before = text.slice(0, logAt);
    const ESC = String.fromCharCode(27);
    const endsLine = before === '' || /[\n\r]$/.test(before) || /\[[0-9;]*[A-Za-z]$/.test(before);
    expect(endsLine && (before === '' || !before.endsWith('%') || before.includes(ESC))).toBe(true);
    // The bar is drawn again after the log line, with the final count.
    expect(text.slice(logAt)).toMatch(/sync\s+#+-*\s+50\/100/);
  });
});

describe('formatDuration', () => {
  test('m:ss and h:mm:ss', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});
