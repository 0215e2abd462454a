/**
 * Several devices at once within the Enedis quota (no 429 when the client's limit matches
 * the provider's), and days found incomplete recorded as gaps and asked again later.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/analytics/periods.js';
import { getDevice } from '../../../src/db/devices.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  expectedRows,
  gapDays,
  historyRange,
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

describe.each(ENGINES)('quota and gaps (%s database)', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;

  // Each test has its own database and simulator: none depends on what another left.
  beforeEach(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator({ faults: { latencyMs: 20 } });
  });
  afterEach(async () => {
    await sim?.close();
    await t?.close();
  });

  it('syncs several devices at once without a 429 when the client keeps to the quota', async () => {
    const meters = sim.createMeters('enedis', 6);
    const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    const config = syncConfig(sim, { historyDays: 21, enedisPerSecond: 5, concurrency: 6 });
    sim.resetStats();
    const res = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: devices.map((d) => d.id) },
      { now: NOW },
    );
    expect(res.map((r) => r.status)).toEqual(devices.map(() => 'success'));
    const st = sim.stats();
    expect(st.rateLimited).toBe(0);
    expect(st.statuses['429']).toBeUndefined();
    // Three 7-day windows per meter, all answered, several meters in flight together.
    expect(st.statuses['200']).toBeGreaterThanOrEqual(6 * 3);
    expect(st.maxConcurrent).toBeGreaterThan(1);
    const { fromDay, toDay } = historyRange(21);
    for (const m of meters)
      expect((await storedRows(t.db, [m.prm])).length).toBe(
        expectedRows(m, fromDay, toDay, 'Europe/Paris').length,
      );
  });

  it('still completes when the client asks faster than the quota (429s waited out)', async () => {
    const meters = sim.createMeters('enedis', 6);
    const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    const config = syncConfig(sim, { historyDays: 21, enedisPerSecond: 50, concurrency: 6 });
    sim.resetStats();
    const res = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: devices.map((d) => d.id) },
      { now: NOW },
    );
    expect(res.map((r) => r.status)).toEqual(devices.map(() => 'success'));
    expect(sim.stats().rateLimited).toBeGreaterThan(0);
    const { fromDay, toDay } = historyRange(21);
    for (const m of meters)
      expect((await storedRows(t.db, [m.prm])).length).toBe(
        expectedRows(m, fromDay, toDay, 'Europe/Paris').length,
      );
    // The persisted "not before" is cleared once the device is done.
    for (const d of devices) expect((await getDevice(t.db, d.id))?.not_before).toBeNull();
  });

  it('records a day with missing intervals as a gap and asks for it again on the next sync', async () => {
    const meter = sim.createMeters('enedis', 1)[0]!;
    const [device] = await registerMeters(t.db, sim, await newBuilding(t.db), [meter]);
    const config = syncConfig(sim, { historyDays: 21 });
    const { fromDay, toDay } = historyRange(21);
    const holeDay = addDays(fromDay, 2);
    // The provider publishes the day only in part: its evening points are missing.
    const partial: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const url = new URL(String(input));
      if (!url.pathname.includes('courbe_de_charge') || res.status !== 200) return res;
      const body = (await res.json()) as { grandeur: { points: { d: string }[] }[] };
      for (const g of body.grandeur)
        g.points = g.points.filter(
          (p) => !(p.d > `${holeDay} 18:00:00` && p.d <= `${addDays(holeDay, 1)} 00:00:00`),
        );
      return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const first = await syncDevices(
      makeSyncEnv(t.db, config, { fetch: partial }),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(first.map((r) => [r.status, r.gaps])).toEqual([['success', 1]]);
    expect(await gapDays(t.db, device!.id)).toEqual([holeDay]);
    const gap = (
      await t.db.query<{ expected: number; found: number }>(
        'SELECT expected, found FROM sync_gaps WHERE device_id = $1',
        [device!.id],
      )
    ).rows[0];
    expect(gap).toEqual({ expected: 86_400, found: 86_400 - 12 * 1800 });
    const model = expectedRows(meter, fromDay, toDay, 'Europe/Paris');
    expect((await storedRows(t.db, [meter.prm])).length).toBe(model.length - 12);
    expect((await syncRuns(t.db, meter.prm)).map((r) => [r.status, r.gaps])).toEqual([
      ['success', 1],
    ]);

    // The next sync asks for the gap day on its own (it is long before the overlap), and fills it.
    const asked: string[] = [];
    const spy: typeof fetch = (input, init) => {
      const u = new URL(String(input));
      if (u.pathname.includes('courbe_de_charge'))
        asked.push(`${u.searchParams.get('dateDebut')}/${u.searchParams.get('dateFin')}`);
      return fetch(input, init);
    };
    const second = await syncDevices(
      makeSyncEnv(t.db, config, { fetch: spy }),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(second.map((r) => [r.status, r.gaps, r.synced_readings])).toEqual([['success', 0, 12]]);
    expect(asked).toContain(`${holeDay}/${addDays(holeDay, 1)}`);
    expect(asked).toContain(`${addDays(TODAY, -3)}/${TODAY}`);
    expect(await gapDays(t.db, device!.id)).toEqual([]);
    const rows = await storedRows(t.db, [meter.prm]);
    expect(rows.map((r) => r.ts)).toEqual(model.map((r) => r.ts));
    rows.forEach((r, i) => expect(r.kwh).toBeCloseTo(model[i]!.kwh, 9));
    expect(
      (await syncRuns(t.db, meter.prm)).map((r) => [r.status, r.gaps, r.readings_written]),
    ).toEqual([
      ['success', 1, model.length - 12],
      ['success', 0, 12],
    ]);
  });
});
