import { describe, expect, test } from 'vitest';
import { UsageError } from '../../../src/domain/errors.js';
import {
  formatNumber,
  formatPercent,
  parseOutputFormat,
  writeResult,
} from '../../../src/ui/output.js';

function sink(): { write(chunk: string): void; text: () => string } {
  const chunks: string[] = [];
  return { write: (chunk) => void chunks.push(chunk), text: () => chunks.join('') };
}

const result = {
  device: '12345678901234',
  from: new Date('2026-09-29T00:00:00Z'),
  rows: [{ day: '2026-09-29', kwh: 12.5 }],
};

describe('writeResult', () => {
  test('json prints exactly one parseable document and never calls the table', () => {
    const out = sink();
    writeResult({
      format: 'json',
      json: result,
      table: () => {
        throw new Error('table must not be rendered for --json');
      },
      stdout: out,
    });
    const parsed = JSON.parse(out.text()) as typeof result & { from: string };
    expect(parsed.from).toBe('2026-09-29T00:00:00.000Z');
    expect(parsed.rows[0]?.kwh).toBe(12.5);
    expect(out.text().endsWith('}\n')).toBe(true);
  });

  test('table prints the rendered view with a final newline', () => {
    const out = sink();
    writeResult({ format: 'table', json: result, table: () => 'Day  kWh', stdout: out });
    expect(out.text()).toBe('Day  kWh\n');
  });

  test('csv prints the rows; a command without csv rows refuses with a usage error', () => {
    const out = sink();
    writeResult({
      format: 'csv',
      json: result,
      csv: {
        columns: [
          { key: 'day', header: 'day' },
          { key: 'kwh', header: 'kwh' },
        ],
        rows: result.rows,
      },
      stdout: out,
    });
    expect(out.text()).toBe('day,kwh\n2026-09-29,12.5\n');
    expect(() => writeResult({ format: 'csv', json: result, stdout: sink() })).toThrow(UsageError);
  });

  test('parseOutputFormat accepts the three formats and rejects others', () => {
    expect(parseOutputFormat('JSON')).toBe('json');
    expect(() => parseOutputFormat('xml')).toThrow(/unknown output format 'xml'/);
  });
});

describe('formatNumber and formatPercent', () => {
  test('fixed decimals, no thousand separators, no negative zero', () => {
    expect(formatNumber(1234.5, 2)).toBe('1234.50');
    expect(formatNumber(-0.001, 2)).toBe('0.00');
    expect(formatNumber(2, 0)).toBe('2');
    expect(formatNumber(Number.NaN, 2)).toBe('-');
  });

  test('signed percentages', () => {
    expect(formatPercent(5.2)).toBe('+5.2%');
    expect(formatPercent(-12)).toBe('-12.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(0.01)).toBe('0.0%');
    expect(formatPercent(null)).toBe('n/a');
  });
});
