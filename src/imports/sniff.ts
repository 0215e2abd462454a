/**
 * A look at the start of a file before it is parsed: JSON or CSV, which delimiter, which
 * layout (told by the header's column names).
 */
import { headerKey } from './text.js';
import type { ImportFormat } from './types.js';

export type Delimiter = ',' | ';' | '\t';

export interface Sniffed {
  kind: 'json' | 'csv';
  delimiter: Delimiter;
  /** The layout the header names; 'csv' when it names none of the portal exports. */
  format: ImportFormat;
}

/** Occurrences of ch outside double quotes. */
function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) n++;
  }
  return n;
}

function dataLines(head: string): string[] {
  return head
    .split(/\r?\n/)
    .slice(0, -1) // the last piece may be cut in the middle
    .concat(head.includes('\n') ? [] : [head])
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .slice(0, 10);
}

/**
 * The delimiter that splits the first lines most consistently. On a tie the tab, then the
 * semicolon win: a semicolon file often holds decimal commas ("2026-01-10T00:00;0,5"),
 * while a comma file rarely holds semicolons.
 */
export function detectDelimiter(head: string): Delimiter {
  const lines = dataLines(head);
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const d of ['\t', ';', ','] as const) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/** First column of the quarter-hour export of the Fluvius customer portal (nl, en). */
const FLUVIUS_START = ['vandatum', 'fromdate'];

export function detectCsvFormat(firstLine: string, delimiter: Delimiter): ImportFormat {
  const keys = firstLine.split(delimiter).map((c) => headerKey(c.replace(/^"|"$/g, '')));
  const has = (k: string) => keys.includes(k);
  if (keys[0] === 'identifiantprm' && has('typededonnees')) return 'enedis-account';
  if (FLUVIUS_START.includes(keys[0] ?? '') && has('register') && has('volume')) return 'fluvius';
  if ((has('ean') || has('eancode') || has('codeean')) && has('registre')) return 'ores-portal';
  return 'csv';
}

export function sniff(head: string): Sniffed {
  const text = head.replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    return {
      kind: 'json',
      delimiter: ',',
      format: trimmed.includes('"interval_readings"') ? 'ores' : 'enedis',
    };
  }
  const delimiter = detectDelimiter(text);
  const first = dataLines(text)[0] ?? '';
  return { kind: 'csv', delimiter, format: detectCsvFormat(first, delimiter) };
}
