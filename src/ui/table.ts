/**
 * Tables for the terminal, drawn with cli-table3 in a compact style: no outer border, a
 * single rule under the header, two spaces between columns. Reads well in 80 columns and
 * survives copy-paste into an email.
 */
import Table from 'cli-table3';
import { createColors, stripAnsi, visibleLength } from './color.js';
import { formatNumber, formatShortInstant, inferDecimals } from './format.js';

export interface TableColumn<T> {
  key: keyof T & string;
  header: string;
  /** Default: right for columns holding only numbers, left otherwise. */
  align?: 'left' | 'right';
  /** Shown in the header: `Total (kWh)`. */
  unit?: string;
  /** Fixed decimals for numbers; default 0 for an all-integer column, else 2. */
  decimals?: number;
  /** Custom cell text; wins over `decimals`. */
  format?: (value: unknown, row: T) => string;
}

export interface RenderTableOptions<T> {
  columns: ReadonlyArray<TableColumn<T>>;
  rows: ReadonlyArray<T>;
  color: boolean;
  /** Terminal columns; wide text columns are cut with an ellipsis to fit. */
  maxWidth?: number;
  /** Printed instead of the table when there are no rows. */
  empty?: string;
}

const GAP = '  ';
const ELLIPSIS = '…';
/** A text column is never cut below this, so that it stays recognisable. */
const MIN_TEXT_WIDTH = 6;

const COMPACT_CHARS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '─',
  'mid-mid': '──',
  right: '',
  'right-mid': '',
  middle: GAP,
};

export function headerText(column: { header: string; unit?: string }): string {
  return column.unit ? `${column.header} (${column.unit})` : column.header;
}

export function renderTable<T>(options: RenderTableOptions<T>): string {
  const { columns, rows } = options;
  if (rows.length === 0) return options.empty ?? 'no rows';
  const paint = createColors(options.color);

  const prepared = columns.map((column) => {
    const values = rows.map((row) => row[column.key] as unknown);
    const decimals = column.decimals ?? inferDecimals(values);
    const numeric = values.every((v) => v === null || v === undefined || typeof v === 'number');
    const cells = rows.map((row, i) =>
      column.format ? column.format(values[i], row) : formatCell(values[i], decimals),
    );
    const header = headerText(column);
    const width = cells.reduce(
      (w, cell) => Math.max(w, visibleLength(cell)),
      visibleLength(header),
    );
    const align: 'left' | 'right' = column.align ?? (numeric ? 'right' : 'left');
    return { header, cells, width, align };
  });

  const widths = fitWidths(
    prepared.map((p) => p.width),
    prepared.map((p) => p.align === 'left'),
    options.maxWidth,
  );

  const table = new Table({
    head: prepared.map((p, i) => paint.bold(truncate(p.header, widths[i] ?? p.width))),
    colAligns: prepared.map((p) => p.align),
    chars: COMPACT_CHARS,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
  });
  for (let r = 0; r < rows.length; r++) {
    table.push(prepared.map((p, i) => truncate(p.cells[r] ?? '', widths[i] ?? p.width)));
  }
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** The text of one cell when the column has no custom format. */
export function formatCell(value: unknown, decimals: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value, decimals);
  if (value instanceof Date) return formatShortInstant(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

/**
 * Narrow the widest text columns one step at a time until the table fits. Numbers are
 * never cut: a truncated figure would be a wrong figure.
 */
function fitWidths(
  natural: number[],
  shrinkable: boolean[],
  maxWidth: number | undefined,
): number[] {
  const widths = [...natural];
  if (maxWidth === undefined) return widths;
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
  let excess = total() - maxWidth;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const w = widths[i] ?? 0;
      if (shrinkable[i] && w > MIN_TEXT_WIDTH && (widest < 0 || w > (widths[widest] ?? 0))) {
        widest = i;
      }
    }
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    excess--;
  }
  return widths;
}

function truncate(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  // Cut cells are plain text: a partial escape sequence would garble the terminal.
  const plain = [...stripAnsi(text)];
  return plain.slice(0, Math.max(0, width - 1)).join('') + ELLIPSIS;
}
