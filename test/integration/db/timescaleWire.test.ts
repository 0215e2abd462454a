/**
 * The server engine (`pg` over the wire) on a database that has TimescaleDB: an embedded
 * TimescaleDB instance served by pglite-socket, since the local PostgreSQL server has no
 * such extension. The migrations make the readings a compressed hypertable and the storage
 * policies are installed as TimescaleDB jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { countReadings, upsertReadings } from '../../../src/db/readings.js';
import { applyStoragePolicies, detectTimescale, storageStatus } from '../../../src/db/timescale.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

describe('server engine on TimescaleDB over the wire protocol', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('timescale-wire');
  }, 120_000);
  afterAll(async () => t?.close());

  it('is a server-kind database that sees TimescaleDB', async () => {
    expect(t.db.kind).toBe('server');
    expect(await detectTimescale(t.db)).toMatchObject({ installed: true });
  });

  it('stores readings in a hypertable and installs the storage policies as jobs', async () => {
    const h = await t.db.query<{ hypertable_name: string; compression_enabled: boolean }>(
      `SELECT hypertable_name, compression_enabled FROM timescaledb_information.hypertables`,
    );
    expect(h.rows).toContainEqual({ hypertable_name: 'iot_readings', compression_enabled: true });
    const features = await applyStoragePolicies(t.db, resolveConfig({}, {}, {}, null).storage);
    expect(features.length).toBeGreaterThan(0);
    const jobs = await t.db.query<{ proc_name: string }>(
      `SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name = 'iot_readings' ORDER BY proc_name`,
    );
    expect(jobs.rows.map((j) => j.proc_name)).toEqual(
      expect.arrayContaining(['policy_compression', 'policy_retention']),
    );

    const b = await addBuilding(t.db, 'Les Tilleuls', 'Europe/Brussels');
    const t0 = Date.parse('2026-01-05T00:00:00Z');
    const rows = Array.from({ length: 96 }, (_, i) => ({
      buildingId: b.id,
      deviceRef: '12345678901234',
      deviceType: 'electricity_meter' as const,
      metricType: 'electricity_consumption' as const,
      timestamp: new Date(t0 + i * 1_800_000),
      intervalSeconds: 1800,
      value: 0.25,
      unit: 'kWh',
      source: 'test',
    }));
    await t.db.transaction((tx) => upsertReadings(tx, rows));
    expect(
      await countReadings(t.db, {
        buildingId: b.id,
        from: new Date(t0),
        to: new Date(t0 + 2 * 86_400_000),
      }),
    ).toBe(96);
    const storage = await storageStatus(t.db);
    expect(storage.find((s) => s.table === 'iot_readings')?.chunks).toBeGreaterThan(0);
  });

  it('answers a query larger than one socket read (an import batch)', async () => {
    // Once cut into 64 KiB pieces on its way to the instance, which aborted on it.
    for (const size of [200_000, 2_000_000]) {
      const r = await t.db.query<{ n: number }>('SELECT length($1::text) AS n', ['x'.repeat(size)]);
      expect(r.rows[0]?.n).toBe(size);
    }
    expect(await detectTimescale(t.db)).toMatchObject({ installed: true });
  });
});
