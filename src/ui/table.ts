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
  /**
   * An identifier or a time the user reads or types back (a meter number, an id `unlink`
   * or `--device` takes, a date): never cut. Numbers are never cut either.
   */
  keep?: boolean;
  /**
   * Left out when the table does not fit the terminal, the highest first, before anything
   * kept would have to be cut. Unset: always shown.
   */
  drop?: number;
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

/**
 * Fitting a table into the terminal: leave out the droppable columns (highest `drop`
 * first) until it fits; if that is not enough, also cut the cuttable text columns (names,
 * messages) with an ellipsis; when even that does not fit, one block of `Header  value`
 * lines per row, so that no identifier or time is ever cut.
 */
export function renderTable<T>(options: RenderTableOptions<T>): string {
  if (options.rows.length === 0) return options.empty ?? 'no rows';
  const max = options.maxWidth;
  if (max === undefined) return renderColumns(options);
  const order = options.columns
    .filter((c) => c.drop !== undefined)
    .sort((a, b) => (b.drop ?? 0) - (a.drop ?? 0));
  const levels = [options.columns];
  for (const column of order) levels.push(levels[levels.length - 1]!.filter((c) => c !== column));
  for (const cut of [false, true])
    for (const columns of levels) {
      const table = renderColumns({ ...options, columns, maxWidth: cut ? max : undefined });
      if (widest(table) <= max) return table;
    }
  return renderVertical(options);
}

function widest(text: string): number {
  return text.split('\n').reduce((w, line) => Math.max(w, visibleLength(line)), 0);
}

/** One block per row: `Header  value` lines, the headers aligned, a blank line between. */
function renderVertical<T>(options: RenderTableOptions<T>): string {
  const paint = createColors(options.color);
  const headers = options.columns.map((c) => headerText(c));
  const pad = headers.reduce((w, h) => Math.max(w, visibleLength(h)), 0);
  return options.rows
    .map((row) =>
      options.columns
        .map((column, i) => {
          const value = row[column.key] as unknown;
          const text = column.format
            ? column.format(value, row)
            : formatCell(value, column.decimals ?? inferDecimals([value]));
          return `${paint.bold(headers[i]!.padEnd(pad))}  ${text}`.trimEnd();
        })
        .join('\n'),
    )
    .join('\n\n');
}

function renderColumns<T>(options: RenderTableOptions<T>): string {
  const { columns, rows } = options;
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
    return { header, cells, width, align, cuttable: align === 'left' && !column.keep };
  });

  const widths = fitWidths(
    prepared.map((p) => p.width),
    prepared.map((p) => p.cuttable),
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
 * Narrow the widest cuttable text columns one step at a time until the table fits. Numbers,
 * identifiers and times are never cut: a truncated figure would be a wrong figure, a cut
 * meter number or time a wrong one.
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
