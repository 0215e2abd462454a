import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { building, fixture, removeTempFiles, runImportOf, series, tempFile } from './helpers.js';

const iso = (d: Date) => new Date(d).toISOString();

describe.each(ENGINES)('portal exports (%s)', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  }, 60_000);
  afterAll(async () => {
    removeTempFiles();
    await t.close();
  });

  it('Fluvius quarter-hours of the October DST day: the repeated hour twice, offtake and injection apart, a gap kept', async () => {
    const b = await building(t.db, 'Fluvius Gent');
    const r = await runImportOf(t.db, b.name, fixture('fluvius-kwartiertotalen-october-dst.csv'));
    expect(r).toMatchObject({
      format: 'fluvius',
      device_ref: '541448000000000017',
      parsed: 39,
      written: 39,
      invalid: 0,
    });
    expect(r.notes.join(' ')).toContain('1 row(s) without a volume kept as gaps');
    const cons = await series(t.db, b.id, '541448000000000017', 'electricity_consumption');
    const prod = await series(t.db, b.id, '541448000000000017', 'electricity_production');
    expect(cons).toHaveLength(19);
    expect(prod).toHaveLength(20);
    // 00:00 local (+02:00) is 22:00 UTC the day before; the file's 03:30 has no volume.
    expect(iso(cons[0]!.timestamp)).toBe('2025-10-25T22:00:00.000Z');
    expect(cons[0]).toMatchObject({ value: 0.1, interval_seconds: 900, unit: 'kWh' });
    const starts = prod.map((x) => iso(x.timestamp));
    // The first 02:00 is +02:00 (00:00 UTC), the second +01:00 (01:00 UTC): 20 distinct quarters over 5 real hours.
    expect(new Set(starts).size).toBe(20);
    expect(starts).toContain('2025-10-26T00:00:00.000Z');
    expect(starts).toContain('2025-10-26T01:00:00.000Z');
    expect(starts[19]).toBe('2025-10-26T02:45:00.000Z');
    expect(cons.map((x) => iso(x.timestamp))).not.toContain('2025-10-26T02:30:00.000Z');
    // Each occurrence of 02:00 keeps its own value: the 9th quarter of the file, then the 13th.
    expect(cons.find((x) => iso(x.timestamp) === '2025-10-26T00:00:00.000Z')?.value).toBeCloseTo(
      0.18,
      9,
    );
    expect(cons.find((x) => iso(x.timestamp) === '2025-10-26T01:00:00.000Z')?.value).toBeCloseTo(
      0.22,
      9,
    );
    const again = await runImportOf(
      t.db,
      b.name,
      fixture('fluvius-kwartiertotalen-october-dst.csv'),
    );
    expect(again).toMatchObject({ written: 0, unchanged: 39 });
  });

  it('Fluvius day and night registers of one quarter-hour add up (older header)', async () => {
    const b = await building(t.db, 'Fluvius Leuven');
    const r = await runImportOf(t.db, b.name, fixture('fluvius-day-night.csv'));
    expect(r).toMatchObject({ format: 'fluvius', parsed: 3, written: 3 });
    const cons = await series(t.db, b.id, '541448000000000017', 'electricity_consumption');
    expect(cons.map((x) => [iso(x.timestamp), Number(x.value.toFixed(6))])).toEqual([
      ['2026-01-13T05:45:00.000Z', 0.12],
      ['2026-01-13T06:00:00.000Z', 0.12],
      ['2026-01-13T06:15:00.000Z', 0.2],
    ]);
  });

  it('the ORES portal layout, with offsets on the times, and --column to rename a column', async () => {
    const b = await building(t.db, 'ORES Namur');
    const r = await runImportOf(t.db, b.name, fixture('ores-portal-october-dst.csv'));
    expect(r).toMatchObject({
      format: 'ores-portal',
      device_ref: '541449000000000018',
      parsed: 8,
      written: 8,
    });
    const cons = await series(t.db, b.id, '541449000000000018', 'electricity_consumption');
    expect(cons.map((x) => iso(x.timestamp))).toEqual([
      '2025-10-25T23:45:00.000Z',
      '2025-10-26T00:00:00.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:15:00.000Z',
    ]);
    const renamed = tempFile(
      'ores-renamed.csv',
      'Jour;Heure;EAN;Sens;kWh\n26/10/2025;10:00;541449000000000018;Prélèvement;0,4\n26/10/2025;10:15;541449000000000018;Prélèvement;0,5\n',
    );
    const bad = await runImportOf(t.db, b.name, renamed, { format: 'ores-portal' }).catch(
      (e: Error) => e,
    );
    expect((bad as Error).message).toContain('no column for fromDate, volume');
    const ok = await runImportOf(t.db, b.name, renamed, {
      format: 'ores-portal',
      columns: { fromDate: 'Jour', fromTime: 'Heure', register: 'Sens', volume: 'kWh' },
    });
    expect(ok).toMatchObject({ parsed: 2, written: 2 });
  });

  it('an Enedis account load curve: end-stamped, +02:00 then +01:00 in October, W to kWh, a gap kept', async () => {
    const b = await building(t.db, 'Lyon', 'Europe/Paris');
    const r = await runImportOf(t.db, b.name, fixture('enedis-account-curve-october-dst.csv'));
    expect(r).toMatchObject({
      format: 'enedis-account',
      device_ref: '12345678901234',
      parsed: 9,
      written: 9,
    });
    const cons = await series(t.db, b.id, '12345678901234');
    expect(cons[0]).toMatchObject({ value: 0.2, interval_seconds: 1800 });
    expect(iso(cons[0]!.timestamp)).toBe('2025-10-25T22:00:00.000Z');
    const starts = cons.map((x) => iso(x.timestamp));
    expect(starts).toContain('2025-10-26T00:30:00.000Z'); // ends 02:00+01:00
    expect(starts).not.toContain('2025-10-26T02:00:00.000Z'); // the empty 03:30+01:00
    expect(cons.at(-1)).toMatchObject({ value: 0.65, interval_seconds: 1800 });
  });

  it('Enedis account daily production: Wh per local day, 25 hours on the October day, production detected', async () => {
    const b = await building(t.db, 'Lyon jour', 'Europe/Paris');
    const r = await runImportOf(t.db, b.name, fixture('enedis-account-daily-production.csv'));
    expect(r).toMatchObject({ device_ref: '12345678901234-daily', parsed: 3, written: 3 });
    const prod = await series(t.db, b.id, '12345678901234-daily', 'electricity_production');
    expect(prod.map((x) => [iso(x.timestamp), x.interval_seconds, x.value])).toEqual([
      ['2025-10-24T22:00:00.000Z', 86_400, 8.123],
      ['2025-10-25T22:00:00.000Z', 90_000, 9.05],
      ['2025-10-26T23:00:00.000Z', 86_400, 7],
    ]);
  });

  it('a saved 2026 production answer lands as production; --metric still overrides', async () => {
    const b = await building(t.db, 'Solaire', 'Europe/Paris');
    const r = await runImportOf(t.db, b.name, 'test/fixtures/imports/enedis-2026-production.json');
    expect(r).toMatchObject({ format: 'enedis-2026', parsed: 4, written: 4 });
    expect(await series(t.db, b.id, r.device_ref, 'electricity_production')).toHaveLength(4);
    expect(await series(t.db, b.id, r.device_ref, 'electricity_consumption')).toHaveLength(0);
    const forced = await runImportOf(
      t.db,
      b.name,
      'test/fixtures/imports/enedis-2026-production.json',
      {
        metric: 'electricity_consumption',
      },
    );
    expect(forced.written).toBe(4);
    expect(await series(t.db, b.id, r.device_ref, 'electricity_consumption')).toHaveLength(4);
    // A v5 answer does not say its direction: read as consumption, and the user is told how to say otherwise.
    const v5 = await runImportOf(
      t.db,
      b.name,
      'test/fixtures/providers/enedis-v5-load-curve.json',
      {
        deviceRef: 'v5-prod',
      },
    );
    expect(v5.notes.join(' ')).toContain('--metric electricity_production');
    const v5prod = await runImportOf(
      t.db,
      b.name,
      'test/fixtures/providers/enedis-v5-load-curve.json',
      {
        deviceRef: 'v5-prod',
        metric: 'electricity_production',
      },
    );
    expect(v5prod.written).toBe(v5.parsed);
    expect(await series(t.db, b.id, 'v5-prod', 'electricity_production')).toHaveLength(v5.parsed);
  });
});
