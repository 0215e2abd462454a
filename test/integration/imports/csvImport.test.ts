import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/errors.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { building, fixture, runImportOf, series, tempFile, removeTempFiles } from './helpers.js';

const iso = (d: Date) => new Date(d).toISOString();

async function failure(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe.each(ENGINES)('CSV import (%s)', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  }, 60_000);
  afterAll(async () => {
    removeTempFiles();
    await t.close();
  });

  it('an Excel export as written in France and Belgium: BOM, semicolons, decimal commas, a header, local times', async () => {
    const b = await building(t.db, 'Excel');
    const r = await runImportOf(t.db, b.name, fixture('excel-fr-semicolon.csv'), {
      deviceRef: 'excel',
    });
    expect(r).toMatchObject({ format: 'csv', parsed: 4, written: 4, invalid: 0 });
    expect(r.notes.join(' ')).toContain('local times in Europe/Brussels');
    const rows = await series(t.db, b.id, 'excel');
    expect(rows.map((x) => [iso(x.timestamp), x.value, x.interval_seconds])).toEqual([
      ['2026-01-09T23:00:00.000Z', 0.5, 1800],
      ['2026-01-09T23:30:00.000Z', 0.75, 1800],
      ['2026-01-10T00:00:00.000Z', 1234.5, 1800],
      ['2026-01-10T00:30:00.000Z', 2, 1800],
    ]);
  });

  it('tabs and quotes, header names in any case and with accents, a unit column in Wh', async () => {
    const b = await building(t.db, 'Tabs');
    const file = tempFile(
      'tabs.csv',
      '"MÉTRIQUE"\t"Début"\t"VALEUR"\t"Unité"\n' +
        'electricity_consumption\t"2026-03-01T00:00:00+01:00"\t"1500,5"\tWh\n' +
        'electricity_consumption\t"2026-03-01T00:15:00+01:00"\t"250"\tWh\n',
    );
    const r = await runImportOf(t.db, b.name, file, { deviceRef: 'tabs' });
    expect(r).toMatchObject({ parsed: 2, written: 2 });
    const rows = await series(t.db, b.id, 'tabs');
    expect(rows.map((x) => [x.value, x.interval_seconds])).toEqual([
      [1.5005, 900],
      [0.25, 900],
    ]);
  });

  it('bad rows: line-numbered, nothing written; --skip-invalid writes the rest; --dry-run writes nothing', async () => {
    const b = await building(t.db, 'Bad rows');
    const file = tempFile(
      'bad.csv',
      'timestamp;value\n2026-01-10T00:00:00+01:00;0,5\n2026-01-10T00:30:00+01:00;abc\n' +
        '2026-01-10T01:00:00+25:00;1\n2026-01-10T01:30:00+01:00;-1\n2026-01-10T02:00:00+01:00;0,7\n',
    );
    const e = await failure(runImportOf(t.db, b.name, file, { deviceRef: 'bad' }));
    expect(e.message).toContain("line 3: value 'abc' is not a number");
    expect(e.message).toContain("line 4: invalid timestamp '2026-01-10T01:00:00+25:00'");
    expect(e.message).toContain('line 5: Consumption value cannot be negative: -1');
    expect(e.hint).toContain('nothing was imported');
    expect(await series(t.db, b.id, 'bad')).toHaveLength(0);
    const dry = await runImportOf(t.db, b.name, file, {
      deviceRef: 'bad',
      skipInvalid: true,
      dryRun: true,
    });
    expect(dry).toMatchObject({ parsed: 2, invalid: 3, written: 0 });
    expect(await series(t.db, b.id, 'bad')).toHaveLength(0);
    const r = await runImportOf(t.db, b.name, file, { deviceRef: 'bad', skipInvalid: true });
    expect(r).toMatchObject({ parsed: 2, invalid: 3, written: 2 });
    expect(r.invalid_rows.map((x) => x.line)).toEqual([3, 4, 5]);
  });

  it('error messages escape control bytes of the file and cut long cells', async () => {
    const b = await building(t.db, 'Escapes');
    const evil = `\u001b[2J\u001b]0;owned\u0007${'x'.repeat(200)}`;
    const file = tempFile(
      'evil.csv',
      `2026-01-10T00:00:00+01:00,0.5\n2026-01-10T00:30:00+01:00,${evil}\n2026-01-10T01:00:00+01:00,1,kWh\u0000\n`,
    );
    const e = await failure(runImportOf(t.db, b.name, file, { deviceRef: 'evil' }));
    // eslint-disable-next-line no-control-regex
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
    expect(e.message).toContain('\\x1b[2J\\x1b]0;owned\\x07');
    expect(e.message).toContain("Invalid unit 'kWh\\x00'");
    expect(e.message).not.toContain('x'.repeat(100));
  });

  it('a header that names no time or value column, and a broken quote, are refused with their line', async () => {
    const b = await building(t.db, 'Headers');
    const unknown = tempFile('unknown.csv', 'foo;bar\n2026-01-10T00:00:00+01:00;1\n');
    expect((await failure(runImportOf(t.db, b.name, unknown))).message).toContain(
      'line 1: header not recognised (foo, bar)',
    );
    const quote = tempFile(
      'quote.csv',
      '2026-01-10T00:00:00+01:00,1\n"2026-01-10T00:30:00+01:00,1\n',
    );
    expect((await failure(runImportOf(t.db, b.name, quote))).message).toMatch(/line \d/);
  });

  it('a duplicate timestamp names both lines; a lone reading asks for --interval', async () => {
    const b = await building(t.db, 'Dups');
    const dup = tempFile(
      'dup.csv',
      '2026-02-02T00:00:00+01:00,0.5\n2026-02-02T00:30:00+01:00,0.6\n2026-02-02T00:00:00+01:00,0.7\n',
    );
    expect((await failure(runImportOf(t.db, b.name, dup))).message).toContain(
      'line 3: duplicate timestamp 2026-02-01T23:00:00.000Z (also on line 1)',
    );
    const lone = tempFile('lone.csv', '2026-02-03T00:00:00+01:00,0.5\n');
    expect((await failure(runImportOf(t.db, b.name, lone))).message).toContain(
      'pass --interval SECONDS',
    );
    const ok = await runImportOf(t.db, b.name, lone, { intervalSeconds: 3600, deviceRef: 'lone' });
    expect(ok).toMatchObject({ written: 1 });
  });
});
