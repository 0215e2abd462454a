/**
 * One place that turns a command's result into stdout: a table (or chart) for people,
 * one JSON document for programs, CSV for spreadsheets. Talk goes to stderr elsewhere.
 */
import { UsageError } from '../domain/errors.js';
import { toCsv, type CsvColumn } from './csv.js';

export { formatNumber, formatPercent, formatInstant } from './format.js';

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

export interface Writable {
  write(chunk: string): unknown;
}

export interface WriteResultOptions<T> {
  format: OutputFormat;
  /** The document printed with --json (dates become ISO strings). */
  json: unknown;
  /** Rows for --format csv; commands without tabular data leave it out. */
  csv?: { columns: ReadonlyArray<CsvColumn<T>>; rows: ReadonlyArray<T> };
  /** Renders the human view lazily, so --json never pays for a chart. */
  table?: () => string;
  stdout: Writable;
}

export function writeResult<T>(options: WriteResultOptions<T>): void {
  options.stdout.write(renderResult(options));
}

/** What writeResult prints, as a string. */
export function renderResult<T>(options: Omit<WriteResultOptions<T>, 'stdout'>): string {
  switch (options.format) {
    case 'json':
      return toJson(options.json);
    case 'csv':
      if (!options.csv) {
        throw new UsageError('this command has no CSV output', {
          hint: 'use --format table or --format json',
        });
      }
      return toCsv(options.csv.columns, options.csv.rows);
    case 'table':
      // Without a human view the JSON document is still the most readable answer.
      return options.table ? withNewline(options.table()) : toJson(options.json);
    default:
      throw new UsageError(`unknown output format '${String(options.format)}'`, {
        hint: `use one of: ${OUTPUT_FORMATS.join(', ')}`,
      });
  }
}

/** Parse a --format value. */
export function parseOutputFormat(value: string): OutputFormat {
  const format = value.trim().toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(format)) return format as OutputFormat;
  throw new UsageError(`unknown output format '${value}'`, {
    hint: `use one of: ${OUTPUT_FORMATS.join(', ')}`,
  });
}

/** One JSON document, indented, newline-terminated; bigints as strings, non-finite numbers as null. */
export function toJson(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      return v;
    },
    2,
  );
  return (text ?? 'null') + '\n';
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}
