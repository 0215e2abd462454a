/**
 * Limits shared through the database by every process: the per-second spacing (two syncs
 * with their own limiters and their own connections stay within the provider's 5 calls/s),
 * the quota answers Enedis documents without Retry-After or nextAccessTime (per second: a
 * short wait; hourly: a wait until the next hour, recorded for every process), and the 403s
 * that are not a lost consent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { openServerDatabase } from '../../../src/db/server.js';
import type { Database } from '../../../src/db/types.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  startTestSimulator,
  storedRows,
  syncRuns,
  testEnv,
} from './helpers.js';

function enedisConfig(sim: Simulator, perSecond: number, historyDays = 21) {
  return resolveConfig(
    {
      providers: {
        enedis: { baseUrl: sim.url, historyDays, rateLimit: { perSecond, perHour: 100_000 } },
      },
      sync: { concurrency: 4, retries: 3 },
    },
    testEnv(),
    {},
    null,
  );
}

describe.each(ENGINES)('limits shared through the %s database', (engine) => {
  let t: TestDatabase;
  let second: Database;
  let sim: Simulator;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    // A second connection of its own, as a second daemon would have (the embedded database
    // has one process: the same handle).
    second = t.url ? await openServerDatabase(t.url) : t.db;
    sim = await startTestSimulator();
  });
  afterAll(async () => {
    await sim?.close();
    if (second !== t.db) await second.close();
    await t?.close();
  });

  it('two syncs at 5 calls/s each together never draw a 429 from the 5/s quota', async () => {
    const config = enedisConfig(sim, 5);
    const meters = sim.createMeters('enedis', 6);
    const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    sim.resetStats();
    const ids = devices.map((d) => d.id);
    const [a, b] = await Promise.all([
      syncDevices(
        makeSyncEnv(t.db, config, { owner: 'sync:a' }),
        { dueOnly: false, deviceIds: ids },
        { now: NOW },
      ),
      syncDevices(
        makeSyncEnv(second, config, { owner: 'sync:b' }),
        { dueOnly: false, deviceIds: ids },
        { now: NOW },
      ),
    ]);
    const results = [...a, ...b];
    // Each meter synced (a meter may be synced again by the process that comes second).
    expect([...new Set(results.map((r) => r.prm))].sort()).toEqual(meters.map((m) => m.prm).sort());
    expect(results.every((r) => r.status === 'success')).toBe(true);
    expect(sim.stats().rateLimited).toBe(0);
    expect(sim.stats().statuses['429']).toBeUndefined();
  });

  it('"Quota Q3 reached" without headers: a short wait, then every reading is stored', async () => {
    // The client believes it may call 50 times a second; the simulator allows 5.
    const config = enedisConfig(sim, 50, 14);
    const meters = sim.createMeters('enedis', 3);
    const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    await t.db.query(`DELETE FROM provider_slots`);
    sim.resetStats();
    const results = await syncDevices(
      makeSyncEnv(t.db, config, { owner: 'sync:q3', maxRateLimitWaitMs: 5_000 }),
      { dueOnly: false, deviceIds: devices.map((d) => d.id) },
      { now: NOW },
    );
    expect(results.every((r) => r.status === 'success')).toBe(true);
    const rows = await storedRows(
      t.db,
      meters.map((m) => m.prm),
    );
    expect(new Set(rows.map((r) => r.prm)).size).toBe(3);
    // No process-wide pause for a per-second answer.
    const paused = await t.db.query(`SELECT 1 FROM provider_pauses WHERE not_before > now()`);
    expect(paused.rows.length).toBe(0);
  });
});

describe.each(ENGINES)('hourly quota answers and 403s on the %s database', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator({
      quotas: { enedisPerSecond: 5, enedisPerHour: 2 },
      enedisUnsubscribedApis: ['courbe_de_charge_production'],
    });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('"Quota Q4 reached": the wait until the next hour is recorded for every process', async () => {
    const config = enedisConfig(sim, 5, 21); // 3 windows, the simulator allows 2 an hour
    const meters = sim.createMeters('enedis', 2);
    const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    const filter = { dueOnly: false, deviceIds: [devices[0]!.id] };
    const [first] = await syncDevices(makeSyncEnv(t.db, config, { owner: 'sync:a' }), filter, {
      now: NOW,
    });
    expect(first?.error?.class).toBe('rate_limited');
    const pause = await t.db.query<{ not_before: Date; reason: string }>(
      `SELECT not_before, reason FROM provider_pauses WHERE provider = 'enedis'`,
    );
    const until = new Date(pause.rows[0]?.not_before as Date);
    expect(until.getTime()).toBeGreaterThan(Date.now());
    // The next clock hour, plus a few seconds.
    expect(until.getUTCMinutes()).toBe(0);
    expect(pause.rows[0]?.reason).toContain('Quota Q4 reached');
    // Another process asks nothing of the provider until then.
    sim.resetStats();
    const other = { dueOnly: false, deviceIds: [devices[1]!.id] };
    const [again] = await syncDevices(makeSyncEnv(t.db, config, { owner: 'sync:b' }), other, {
      now: NOW,
    });
    expect(again?.error?.class).toBe('rate_limited');
    expect(sim.stats().requests).toBe(0);
    await t.db.query(`DELETE FROM provider_pauses`);
  });
});

describe.each(ENGINES)('403 answers that are not a lost consent, on the %s database', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator({ enedisUnsubscribedApis: ['courbe_de_charge_production'] });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('900908 on the production API: named, not a relink; the meter stays linked', async () => {
    const config = resolveConfig(
      {
        providers: { enedis: { baseUrl: sim.url, historyDays: 7, rateLimit: { perSecond: 50 } } },
        sync: { production: true },
      },
      testEnv(),
      {},
      null,
    );
    const meters = sim.createMeters('enedis', 1);
    const [device] = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    const [r] = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(r?.error?.class).toBe('api_not_subscribed');
    expect(r?.error?.message).toContain('courbe_de_charge_production');
    const row = await t.db.query<{ status: string; status_message: string }>(
      `SELECT status, status_message FROM linky_devices WHERE id = $1`,
      [device!.id],
    );
    expect(row.rows[0]?.status).toBe('error');
    expect(row.rows[0]?.status_message).toContain('Enedis DataHub');
    expect(row.rows[0]?.status_message).not.toContain('link the meter again');
    const runs = await syncRuns(t.db, meters[0]!.prm);
    expect(runs[0]?.error_class).toBe('api_not_subscribed');
  });

  it('ADAM-DC-0009: the window is clamped to the consent start and asked again', async () => {
    const config = enedisConfig(sim, 50, 14);
    const meters = sim.createMeters('enedis', 1);
    const prm = meters[0]!.prm;
    sim.startConsentOn(prm, '2026-11-17');
    const [device] = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    const [r] = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(r?.status).toBe('success');
    const rows = await storedRows(t.db, [prm]);
    expect(rows.length).toBeGreaterThan(0);
    // Everything from the consent's first day, nothing before it.
    const first = rows.map((x) => x.ts).sort()[0]!;
    expect(first >= '2026-11-16T23:00:00.000Z').toBe(true);
    expect(rows.some((x) => x.ts < '2026-11-17T23:00:00.000Z')).toBe(true);
    const device2 = await t.db.query<{ status: string }>(
      `SELECT status FROM linky_devices WHERE id = $1`,
      [device!.id],
    );
    expect(device2.rows[0]?.status).toBe('active');
  });
});
