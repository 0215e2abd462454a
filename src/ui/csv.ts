/**
 * CSV as RFC 4180 describes it, with '\n' line ends (what spreadsheet imports and Unix
 * tools expect from a CLI): a header line, fields quoted only when they hold a comma, a
 * double quote, CR or LF. Values stay machine-readable: numbers in full without thousand
 * separators, instants in ISO 8601 UTC.
 */

export interface CsvColumn<T> {
  key: keyof T & string;
  header: string;
}

export function toCsv<T>(columns: ReadonlyArray<CsvColumn<T>>, rows: ReadonlyArray<T>): string {
  const lines = [columns.map((c) => quote(c.header)).join(',')];
  for (const row of rows) {
    lines.push(columns.map((c) => quote(csvValue(row[c.key] as unknown))).join(','));
  }
  return lines.join('\n') + '\n';
}

/** The text of one value, before quoting. Missing values are empty fields. */
export function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

export function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Object.is(n, -0)) return '0';
  const text = String(n);
  // String() switches to exponent notation past 1e21 and below 1e-6; spreadsheets read
  // plain digits more reliably.
  if (!/e/i.test(text)) return text;
  const abs = Math.abs(n);
  return abs >= 1 ? BigInt(Math.round(n)).toString() : n.toFixed(20).replace(/0+$/, '');
}
