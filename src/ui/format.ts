/**
 * Formatting of single values for people: numbers with a fixed number of decimals,
 * signed percentages, timestamps. Shared by tables, charts and the output writer.
 */

import { DateTime } from 'luxon';

/** What a missing or non-finite number prints as. */
export const MISSING = '-';

/**
 * A number with exactly `decimals` decimals and no thousand separators, so columns line
 * up and values paste back into a spreadsheet. Negative zero prints as zero.
 */
export function formatNumber(n: number | null | undefined, decimals = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return MISSING;
  const text = n.toFixed(clampDecimals(decimals));
  // toFixed keeps the sign of tiny negatives that round to zero ("-0.00").
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/**
 * A change already expressed in percent (5.2 means +5.2 %) with an explicit sign, as
 * period comparisons read: '+5.2%', '-12.0%', '0.0%'. Missing values (no previous
 * period) print as 'n/a'.
 */
export function formatPercent(signed: number | null | undefined, decimals = 1): string {
  if (signed === null || signed === undefined || !Number.isFinite(signed)) return 'n/a';
  const text = formatNumber(signed, decimals);
  return signed > 0 && !/^0(\.0*)?$/.test(text) ? `+${text}%` : `${text}%`;
}

/** A UTC instant as ISO 8601 without milliseconds when they are zero. */
/** An instant for a table cell: to the minute, UTC, e.g. `2026-11-24 21:39Z`. */
export function formatShortInstant(date: Date): string {
  if (Number.isNaN(date.getTime())) return MISSING;
  return date.toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

export function formatInstant(date: Date): string {
  if (Number.isNaN(date.getTime())) return MISSING;
  return date.toISOString().replace('.000Z', 'Z');
}

/** Decimals that represent every number of a column (at most `max`), for columns without a fixed choice. */
export function inferDecimals(values: ReadonlyArray<unknown>, max = 2): number {
  let needed = 0;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value) || Number.isInteger(value)) continue;
    needed = max;
    break;
  }
  return needed;
}

function clampDecimals(decimals: number): number {
  if (!Number.isFinite(decimals)) return 2;
  return Math.min(20, Math.max(0, Math.trunc(decimals)));
}

/**
 * Breaks a line of prose at spaces so that no line is wider than `width`: a title or a
 * note never wraps in the middle of a word on a narrow terminal.
 */
export function wrapWords(text: string, width: number, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if ([...next].length > width && line !== '') {
      lines.push(line);
      line = indent + word;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}

/**
 * An instant as a person in the building reads it: local time to the minute, in `zone`
 * (`2026-12-02 02:03`). The zone goes in the column header (see `zoneLabel`).
 */
export function formatLocalMinute(date: Date | string | null | undefined, zone: string): string {
  if (date === null || date === undefined) return MISSING;
  const d = DateTime.fromJSDate(new Date(date)).setZone(zone);
  return d.isValid ? d.toFormat('yyyy-MM-dd HH:mm') : MISSING;
}

/** `Last sync (Europe/Brussels)` when every row is in one zone, else `Last sync (local)`. */
export function zoneLabel(header: string, zones: readonly string[]): string {
  const distinct = [...new Set(zones)];
  return distinct.length === 1 ? `${header} (${distinct[0]})` : `${header} (local)`;
}
