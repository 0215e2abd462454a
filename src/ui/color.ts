/**
 * Colour decisions and tiny ANSI helpers. Colour is decided once from the stream and the
 * environment (passed in, so it can be tested) and the helpers become identity when off.
 */

export interface ColorEnv {
  isTTY: boolean | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * FORCE_COLOR wins (as in Node and most CLIs: CI logs that render colour set it), then
 * NO_COLOR (https://no-color.org: any non-empty value), then a dumb terminal, then the TTY.
 */
export function colorEnabled({ isTTY, env }: ColorEnv): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    return force !== '0' && force.toLowerCase() !== 'false';
  }
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY === true;
}

export type Paint = (text: string) => string;

export interface Colors {
  enabled: boolean;
  bold: Paint;
  dim: Paint;
  red: Paint;
  yellow: Paint;
  green: Paint;
  cyan: Paint;
}

function sgr(open: number, close: number): Paint {
  return (text) => (text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`);
}

const identity: Paint = (text) => text;

const ON: Colors = {
  enabled: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  green: sgr(32, 39),
  cyan: sgr(36, 39),
};

const OFF: Colors = {
  enabled: false,
  bold: identity,
  dim: identity,
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
};

/** The helpers for one output stream: real escapes when enabled, identity otherwise. */
export function createColors(enabled: boolean): Colors {
  return enabled ? ON : OFF;
}

// Matches SGR and the erase-line sequence this module and the progress bar emit.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Printed width of a string: escapes removed, one column per code point. */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}
