import { describe, expect, test } from 'vitest';
import { renderTable, type TableColumn } from '../../../src/ui/table.js';
import { visibleLength } from '../../../src/ui/color.js';

interface DayRow {
  day: string;
  total: number;
  count: number;
  change: number | null;
}

const rows: DayRow[] = [
  { day: '2026-09-29', total: 12.5, count: 48, change: 5.2 },
  { day: '2026-09-30', total: 1234.125, count: 46, change: -1 },
  { day: '2026-10-01', total: 0, count: 0, change: null },
];

const columns: TableColumn<DayRow>[] = [
  { key: 'day', header: 'Day' },
  { key: 'total', header: 'Total', unit: 'kWh', decimals: 2 },
  { key: 'count', header: 'Readings' },
  {
    key: 'change',
    header: 'Change',
    align: 'right',
    format: (v) => (typeof v === 'number' ? `${v > 0 ? '+' : ''}${v.toFixed(1)}%` : 'n/a'),
  },
];

describe('renderTable', () => {
  test('compact table with units in headers and aligned numbers', () => {
    expect(renderTable({ columns, rows, color: false })).toMatchInlineSnapshot(`
      "Day         Total (kWh)  Readings  Change
      ─────────────────────────────────────────
      2026-09-29        12.50        48   +5.2%
      2026-09-30      1234.13        46   -1.0%
      2026-10-01         0.00         0     n/a"
    `);
  });

  test('numbers are right-aligned with the same decimals in every row', () => {
    const lines = renderTable({ columns, rows, color: false }).split('\n');
    const header = lines[0] ?? '';
    const totalEnd = header.indexOf('Total (kWh)') + 'Total (kWh)'.length;
    for (const line of lines.slice(2)) {
      const cell = line.slice(0, totalEnd).trimEnd().split(' ').pop() ?? '';
      expect(cell).toMatch(/^\d+\.\d{2}$/);
      expect(line.slice(0, totalEnd).endsWith(cell)).toBe(true);
    }
  });

  test('text columns are left-aligned; integer columns get no decimals', () => {
    const out = renderTable({ columns, rows, color: false });
    expect(out.split('\n')[2]?.startsWith('2026-09-29')).toBe(true);
    expect(out).not.toContain('48.00');
  });

  test('the caller text replaces the table when there are no rows', () => {
    expect(renderTable({ columns, rows: [], color: false, empty: 'no readings in range' })).toBe(
      'no readings in range',
    );
    expect(renderTable({ columns, rows: [], color: false })).toBe('no rows');
  });

  test('a long text column is cut with an ellipsis to fit maxWidth; numbers are kept', () => {
    const wide = [{ name: 'Résidence des Tilleuls, 12 avenue de la Gare, Namur', kwh: 1234.5 }];
    const out = renderTable({
      columns: [
        { key: 'name', header: 'Building' },
        { key: 'kwh', header: 'Total', unit: 'kWh', decimals: 1 },
      ],
      rows: wide,
      color: false,
      maxWidth: 30,
    });
    for (const line of out.split('\n')) expect(visibleLength(line)).toBeLessThanOrEqual(30);
    expect(out).toContain('…');
    expect(out).toContain('1234.5');
  });

  test('colour only in the header, and only when asked', () => {
    expect(renderTable({ columns, rows, color: false })).not.toContain('\x1b[');
    const painted = renderTable({ columns, rows, color: true });
    expect(painted.split('\n')[0]).toContain('\x1b[1m');
    expect(painted.split('\n')[2]).not.toContain('\x1b[');
  });

  test('dates print to the minute in UTC and missing values as empty cells', () => {
    const out = renderTable({
      columns: [
        { key: 'at', header: 'Start' },
        { key: 'v', header: 'Value' },
      ],
      rows: [
        { at: new Date('2026-09-29T22:30:00Z'), v: null },
        { at: new Date('2026-09-29T23:00:00Z'), v: 1.5 },
      ],
      color: false,
    });
    expect(out).toContain('2026-09-29 22:30Z');
    expect(out).toContain('1.50');
  });
});
