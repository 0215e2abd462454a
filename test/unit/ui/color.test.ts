import { describe, expect, test } from 'vitest';
import { colorEnabled, createColors, stripAnsi, visibleLength } from '../../../src/ui/color.js';

describe('colorEnabled', () => {
  test('on for a TTY with a plain environment', () => {
    expect(colorEnabled({ isTTY: true, env: {} })).toBe(true);
  });

  test('off when the stream is not a TTY (pipe, file)', () => {
    expect(colorEnabled({ isTTY: false, env: {} })).toBe(false);
    expect(colorEnabled({ isTTY: undefined, env: {} })).toBe(false);
  });

  test('off with NO_COLOR on a TTY; an empty NO_COLOR does not count', () => {
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ isTTY: true, env: { NO_COLOR: '' } })).toBe(true);
  });

  test('off on a dumb terminal', () => {
    expect(colorEnabled({ isTTY: true, env: { TERM: 'dumb' } })).toBe(false);
  });

  test('FORCE_COLOR forces colour in a pipe, FORCE_COLOR=0 turns it off', () => {
    expect(colorEnabled({ isTTY: false, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colorEnabled({ isTTY: true, env: { FORCE_COLOR: '0' } })).toBe(false);
  });
});

describe('createColors', () => {
  test('disabled helpers return the text unchanged', () => {
    const c = createColors(false);
    expect(c.bold('total')).toBe('total');
    expect(c.red('error')).toBe('error');
  });

  test('enabled helpers wrap in escapes that strip back to the text', () => {
    const c = createColors(true);
    const painted = c.yellow(c.bold('warn'));
    expect(painted).not.toBe('warn');
    expect(painted).toContain('\x1b[');
    expect(stripAnsi(painted)).toBe('warn');
    expect(visibleLength(painted)).toBe(4);
  });
});
