import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { loadMigrations, migrate } from '../../../src/db/migrate.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { dailyAggregates } from '../../../src/db/stats.js';
import { applyStoragePolicies, detectTimescale } from '../../../src/db/timescale.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ZONE, meterReadings, plainMeter } from './fixtures.js';

describe.each(ENGINES)('migration 002 on a database in use (%s)', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, { migrate: false });
  }, 120_000);
  afterAll(async () => t?.close());

  it('adds covered seconds to the daily aggregate, keeping data and refresh policy', async () => {
    const all = loadMigrations();
    await migrate(t.db, all.slice(0, 1));
    const policies = { compressAfterDays: 7, retentionDays: 0 };
    await applyStoragePolicies(t.db, policies);
    const b = await addBuilding(t.db, 'Résidence Les Tilleuls', ZONE);
    // A 30-minute meter that records every 15 minutes from local noon on 12 March 2025.
    const meter = plainMeter({
      stepChange: { at: new Date('2025-03-12T11:00:00Z'), stepMinutes: 15 },
    });
    await upsertReadings(
      t.db,
      meterReadings(meter, b.id, '2025-03-10T23:00:00Z', '2025-03-12T23:00:00Z'),
    );
    const ts = await detectTimescale(t.db);
    if (ts.installed) {
      await t.db.query(
        `CALL refresh_continuous_aggregate('iot_readings_daily', '2025-03-01', '2025-03-20')`,
      );
    }

    const result = await migrate(t.db, all);
    expect(result.applied).toContain('002_daily_covered_seconds');
    await applyStoragePolicies(t.db, policies);
    if (ts.installed) {
      const jobs = await t.db.query(
        `SELECT 1 FROM timescaledb_information.jobs
          WHERE proc_name = 'policy_refresh_continuous_aggregate'`,
      );
      expect(jobs.rows).toHaveLength(1);
    }
    const days = await dailyAggregates(t.db, {
      buildingId: b.id,
      zone: ZONE,
      metricType: 'electricity_consumption',
      fromDay: '2025-03-11',
      toDay: '2025-03-13',
      source: 'aggregate',
    });
    expect(days.map((d) => [d.day, d.count, d.coveredSeconds])).toEqual([
      ['2025-03-11', 48, 86_400],
      ['2025-03-12', 24 + 48, 86_400],
    ]);
  });
});
