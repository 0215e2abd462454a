/**
 * A meter activated within the provider's history: the backfill finds its first day with a
 * few calls instead of walking every week before it, and stores everything from that day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDayOf } from '../../../src/analytics/periods.js';
import { getDevice } from '../../../src/db/devices.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  expectedRows,
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  startTestSimulator,
  storedRows,
  syncConfig,
  syncRuns,
  TODAY,
} from './helpers.js';

describe.each(ENGINES)('backfill of a recently activated meter (%s database)', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator({ quotas: { enedisPerSecond: 1000, enedisPerHour: 1_000_000 } });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('spends a handful of calls before the activation and stores every reading after it', async () => {
    // Every 4th simulated meter was activated within the last 13 months.
    const meter = sim.createMeters('enedis', 4)[3]!;
    const activation = localDayOf(meter.activationDate, 'Europe/Paris');
    expect(activation > '2025-06-01').toBe(true);
    const [device] = await registerMeters(t.db, sim, await newBuilding(t.db), [meter]);
    const config = syncConfig(sim, { historyDays: 730, enedisPerSecond: 1000 });

    const [res] = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(res?.status).toBe('success');
    const model = expectedRows(meter, activation, TODAY, 'Europe/Paris');
    const rows = await storedRows(t.db, [meter.prm]);
    expect(rows.map((r) => r.ts)).toEqual(model.map((r) => r.ts));
    // One call per week after the activation, and about ten to find it (not seven per week before it).
    const weeksAfter = Math.ceil(model.length / (48 * 7));
    expect(res!.calls).toBeLessThanOrEqual(weeksAfter + 2 + 14);
    expect(sim.stats().statuses['400'] ?? 0).toBeLessThanOrEqual(14);
    expect(res!.gaps).toBe(0);
    expect(
      localDayOf(new Date((await getDevice(t.db, device!.id))!.data_start_at!), 'Europe/Paris'),
    ).toBe(activation);

    // The next sync starts from the checkpoint: nothing before the activation is asked again.
    sim.resetStats();
    const [next] = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect([next?.status, next?.synced_readings]).toEqual(['success', 0]);
    expect(sim.stats().statuses['400']).toBeUndefined();
    expect((await syncRuns(t.db, meter.prm)).map((r) => [r.status, r.error_class])).toEqual([
      ['success', null],
      ['success', null],
    ]);
  });
});
