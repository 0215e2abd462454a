import { describe, expect, test } from 'vitest';
import { toCsv } from '../../../src/ui/csv.js';

describe('toCsv', () => {
  test('header line, plain fields, \\n line ends', () => {
    const out = toCsv(
      [
        { key: 'day', header: 'day' },
        { key: 'kwh', header: 'total_kwh' },
      ],
      [
        { day: '2026-09-29', kwh: 12.5 },
        { day: '2026-09-30', kwh: 1234567.25 },
      ],
    );
    expect(out).toBe('day,total_kwh\n2026-09-29,12.5\n2026-09-30,1234567.25\n');
  });

  test('quotes fields with commas, quotes, CR or LF and doubles inner quotes', () => {
    const out = toCsv(
      [
        { key: 'name', header: 'name, full' },
        { key: 'note', header: 'note' },
      ],
      [
        { name: 'Résidence "Les Tilleuls"', note: 'line one\nline two' },
        { name: 'A, B', note: 'cr\rhere' },
        { name: 'plain', note: '' },
      ],
    );
    expect(out).toBe(
      '"name, full",note\n' +
        '"Résidence ""Les Tilleuls""","line one\nline two"\n' +
        '"A, B","cr\rhere"\n' +
        'plain,\n',
    );
  });

  test('dates as ISO 8601 UTC, missing values empty, big and tiny numbers in plain digits', () => {
    const out = toCsv(
      [
        { key: 'start', header: 'start' },
        { key: 'v', header: 'value' },
      ],
      [
        { start: new Date('2026-10-25T00:30:00Z'), v: null },
        { start: new Date('2026-10-25T01:00:00Z'), v: 1e21 },
        { start: new Date('2026-10-25T01:30:00Z'), v: 0.0000005 },
        { start: new Date('2026-10-25T02:00:00Z'), v: Number.NaN },
      ],
    );
    expect(out.split('\n')).toEqual([
      'start,value',
      '2026-10-25T00:30:00.000Z,',
      '2026-10-25T01:00:00.000Z,1000000000000000000000',
      '2026-10-25T01:30:00.000Z,0.0000005',
      '2026-10-25T02:00:00.000Z,',
      '',
    ]);
  });
});
