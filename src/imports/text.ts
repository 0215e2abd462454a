/**
 * Small text helpers of the import parsers: cells quoted safely into error messages, header
 * names compared without case or accents, and numbers written with a decimal comma.
 */

/** Longest cell quoted in a message; longer ones are cut. */
const MAX_CELL = 40;

/** Control bytes (ANSI escapes, NUL, carriage returns) written as \xNN, so a crafted file cannot drive the terminal. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** A cell as it may appear in a one-line error on a terminal: control bytes escaped, long cells cut. */
export function quoteCell(text: string): string {
  return escapeControls(text.length > MAX_CELL ? `${text.slice(0, MAX_CELL)}…` : text);
}

/** A header name reduced for comparison: lower case, no accents, no punctuation or spaces. */
export function headerKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

const DOT_NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;
const COMMA_NUMBER = /^[-+]?\d+(,\d*)?$/;
/** Thousands grouped with dots or spaces, decimals after a comma: 1.234,5 or 1 234,5. */
const GROUPED_COMMA = /^[-+]?\d{1,3}([. \u00a0\u202f]\d{3})+(,\d*)?$/;

/**
 * A number from a cell. With `decimalComma` (semicolon-separated files, as Excel writes them
 * in France and Belgium) "0,067" and "1.234,5" are read too. Null when it is not a number.
 */
export function parseNumber(text: string, decimalComma: boolean): number | null {
  const t = text.trim();
  if (DOT_NUMBER.test(t)) return Number(t);
  if (!decimalComma) return null;
  if (COMMA_NUMBER.test(t)) return Number(t.replace(',', '.'));
  if (GROUPED_COMMA.test(t)) return Number(t.replace(/[. \u00a0\u202f]/g, '').replace(',', '.'));
  return null;
}

/** Excel's way of keeping leading zeros of an EAN: ="541448…". */
export function unwrapExcelText(text: string): string {
  const m = /^="(.*)"$/.exec(text.trim());
  return (m?.[1] ?? text).trim();
}
