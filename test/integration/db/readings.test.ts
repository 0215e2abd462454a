import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding, resolveBuilding } from '../../../src/db/buildings.js';
import { currentVersion, loadMigrations, migrate } from '../../../src/db/migrate.js';
import { countReadings, listReadings, upsertReadings } from '../../../src/db/readings.js';
import type { Reading } from '../../../src/domain/readings.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

function halfHours(
  buildingId: string,
  startIso: string,
  n: number,
  value = (i: number) => 0.1 + (i % 48) / 100,
): Reading[] {
  const t0 = Date.parse(startIso);
  return Array.from({ length: n }, (_, i) => ({
    buildingId,
    deviceRef: '12345678901234',
    deviceType: 'electricity_meter' as const,
    metricType: 'electricity_consumption' as const,
    timestamp: new Date(t0 + i * 1_800_000),
    intervalSeconds: 1800,
    value: value(i),
    unit: 'kWh',
    source: 'test',
  }));
}

describe.each(ENGINES)('readings on the %s database', (engine) => {
  let t: TestDatabase;
  let buildingId: string;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    buildingId = (await addBuilding(t.db, 'Les Tilleuls', 'Europe/Brussels')).id;
  });
  afterAll(async () => t?.close());

  it('migrations are recorded and a second run applies nothing', async () => {
    expect(await currentVersion(t.db)).toBe(loadMigrations().length);
    const again = await migrate(t.db);
    expect(again.applied).toEqual([]);
  });

  it('refuses a schema newer than the code, changing nothing', async () => {
    await t.db.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'future')`);
    await expect(migrate(t.db)).rejects.toThrow(/newer than this koprogo-iot knows/);
    await t.db.query(`DELETE FROM schema_migrations WHERE version = 999`);
  });

  it('bulk upsert writes once; re-writing the same readings changes nothing', async () => {
    const rows = halfHours(buildingId, '2026-01-05T23:00:00Z', 48 * 14);
    expect(await upsertReadings(t.db, rows)).toBe(rows.length);
    expect(await upsertReadings(t.db, rows)).toBe(0);
    const f = {
      buildingId,
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-02-01T00:00:00Z'),
    };
    expect(await countReadings(t.db, f)).toBe(rows.length);
  });

  it('a corrected value replaces the stored one instead of adding a row', async () => {
    const rows = halfHours(buildingId, '2026-01-05T23:00:00Z', 2, () => 9.5);
    expect(await upsertReadings(t.db, rows)).toBe(2);
    const f = {
      buildingId,
      from: new Date('2026-01-05T23:00:00Z'),
      to: new Date('2026-01-06T00:00:00Z'),
    };
    const got = await listReadings(t.db, f, 1, 10);
    expect(got.map((r) => r.value)).toEqual([9.5, 9.5]);
    expect(await countReadings(t.db, { ...f, to: new Date('2026-02-01T00:00:00Z') })).toBe(48 * 14);
  });

  it('duplicate keys inside one batch are stored once (the last wins)', async () => {
    const a = halfHours(buildingId, '2025-06-01T00:00:00Z', 1, () => 1);
    const b = halfHours(buildingId, '2025-06-01T00:00:00Z', 1, () => 2);
    expect(await upsertReadings(t.db, [...a, ...b])).toBe(1);
    const got = await listReadings(
      t.db,
      { buildingId, from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-06-01T00:30:00Z') },
      1,
      10,
    );
    expect(got).toHaveLength(1);
    expect(got[0]?.value).toBe(2);
  });

  it('pages through readings in time order', async () => {
    const f = {
      buildingId,
      from: new Date('2026-01-06T00:00:00Z'),
      to: new Date('2026-01-07T00:00:00Z'),
    };
    const p1 = await listReadings(t.db, f, 1, 10);
    const p2 = await listReadings(t.db, f, 2, 10);
    expect(p1).toHaveLength(10);
    expect(new Date(p2[0]!.timestamp).getTime()).toBeGreaterThan(
      new Date(p1[9]!.timestamp).getTime(),
    );
  });

  it('the daily aggregate counts a local day in the building zone', async () => {
    // 2026-01-06 local Brussels = 2026-01-05T23:00Z .. 2026-01-06T23:00Z: 48 half-hours.
    const r = await t.db.query<{ readings: number }>(
      `SELECT readings::int FROM iot_readings_daily WHERE building_id = $1 AND day = '2026-01-05T23:00:00Z'`,
      [buildingId],
    );
    expect(r.rows[0]?.readings).toBe(48);
  });

  it('resolves the only building by default and a name case-insensitively', async () => {
    expect((await resolveBuilding(t.db, null)).id).toBe(buildingId);
    expect((await resolveBuilding(t.db, 'les tilleuls')).id).toBe(buildingId);
    await expect(resolveBuilding(t.db, 'Nowhere')).rejects.toThrow(/no building "Nowhere"/);
  });
});
