/**
 * The onboarding planner: newly linked meters get yesterday first, then daily totals, then
 * the load curve newest first, meters taking turns, whatever process makes the calls; a
 * stopped run resumes where it stood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { onboardingState } from '../../../src/db/onboarding.js';
import { openServerDatabase } from '../../../src/db/server.js';
import type { Database } from '../../../src/db/types.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { runOnboarding } from '../../../src/sync/onboarding.js';
import { syncStatus } from '../../../src/services/meters.js';
import { renderSyncStatus } from '../../../src/ui/statusView.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  startTestSimulator,
  testEnv,
} from './helpers.js';

describe.each(ENGINES)('onboarding on the %s database', (engine) => {
  let t: TestDatabase;
  let second: Database;
  let sim: Simulator;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    second = t.url ? await openServerDatabase(t.url) : t.db;
    sim = await startTestSimulator({ quotas: { enedisPerSecond: 5, enedisPerHour: 100_000 } });
  });
  afterAll(async () => {
    await sim?.close();
    if (second !== t.db) await second.close();
    await t?.close();
  });

  it('yesterday for every meter first, then daily totals, then the curve; resumable; no 429', async () => {
    const config = resolveConfig(
      {
        providers: {
          enedis: {
            baseUrl: sim.url,
            historyDays: 15,
            rateLimit: { perSecond: 5, perHour: 100_000 },
          },
        },
        sync: { concurrency: 3 },
      },
      testEnv(),
      {},
      null,
    );
    const meters = sim.createMeters('enedis', 4);
    await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    sim.resetStats();
    const order: string[] = [];
    const onStep = (task: { stage: string }) => order.push(task.stage);

    // A first run stopped after a few steps.
    const stop = new AbortController();
    const stopped = makeSyncEnv(t.db, config, {
      owner: 'onb:a',
      signal: stop.signal,
      clock: () => NOW,
    });
    await runOnboarding(stopped, {
      onStep: () => {
        if (order.push('x') >= 3) stop.abort();
      },
    }).catch(() => undefined);
    order.length = 0;
    const before = await onboardingState(t.db);
    expect(before.some((s) => s.done)).toBe(true);
    expect(before.some((s) => !s.done)).toBe(true);
    // status: per meter, what is there and how long the rest takes at the quota's pace.
    const mid = await syncStatus({ db: t.db, config, now: () => NOW });
    const ours = mid.devices.filter((d) => meters.some((m) => m.prm === d.prm));
    expect(ours).toHaveLength(4);
    for (const d of ours) {
      expect(d.onboarding?.stages.map((s) => s.stage)).toEqual(['yesterday', 'daily', 'curve']);
      expect(d.onboarding?.eta_seconds).toBeGreaterThan(0);
    }
    expect(renderSyncStatus(mid, { color: false, width: 200 })).toMatch(
      /curve 0\/\d+; ETA \d+ min/,
    );

    // Two processes resume it together.
    await Promise.all([
      runOnboarding(makeSyncEnv(t.db, config, { owner: 'onb:b', clock: () => NOW }), { onStep }),
      runOnboarding(makeSyncEnv(second, config, { owner: 'onb:c', clock: () => NOW }), { onStep }),
    ]);
    const after = await onboardingState(t.db);
    expect(after.length).toBe(12);
    expect(after.every((s) => s.done)).toBe(true);
    const end = await syncStatus({ db: t.db, config, now: () => NOW });
    for (const d of end.devices.filter((x) => meters.some((m) => m.prm === x.prm)))
      expect(d.onboarding?.eta_seconds).toBe(0);
    // Stages in the application's order: no daily step before the last yesterday one, etc.
    const lastIndex = (s: string) => order.lastIndexOf(s);
    const firstIndex = (s: string) => order.indexOf(s);
    if (order.includes('yesterday') && order.includes('daily'))
      expect(lastIndex('yesterday')).toBeLessThan(firstIndex('daily'));
    expect(lastIndex('daily')).toBeLessThan(firstIndex('curve'));
    expect(sim.stats().rateLimited).toBe(0);

    const prms = meters.map((m) => m.prm);
    const counts = await t.db.query<{ device_ref: string; metric_type: string; n: number }>(
      `SELECT device_ref, metric_type, count(*)::int AS n FROM iot_readings
        WHERE device_ref = ANY($1) GROUP BY device_ref, metric_type`,
      [prms],
    );
    for (const prm of prms) {
      const of = (m: string) =>
        counts.rows.find((r) => r.device_ref === prm && r.metric_type === m)?.n ?? 0;
      // Daily totals reach further back than the 15-day curve.
      expect(of('electricity_consumption_daily')).toBeGreaterThan(15);
      expect(of('electricity_consumption')).toBeGreaterThan(0);
    }
    // Yesterday's curve is complete for every meter.
    const y = await t.db.query<{ device_ref: string; kwh: number }>(
      `SELECT device_ref, sum(interval_seconds)::int AS kwh FROM iot_readings
        WHERE metric_type = 'electricity_consumption' AND device_ref = ANY($1)
          AND "timestamp" >= '2026-11-22T23:00:00Z' AND "timestamp" < '2026-11-23T23:00:00Z'
        GROUP BY device_ref`,
      [prms],
    );
    expect(y.rows.length).toBe(4);
    for (const r of y.rows) expect(Number(r.kwh)).toBe(86_400);
    // The regular sync carries on from today.
    const cp = await t.db.query<{ checkpoint_at: Date }>(
      `SELECT checkpoint_at FROM linky_devices WHERE prm = ANY($1)`,
      [prms],
    );
    for (const r of cp.rows)
      expect(new Date(r.checkpoint_at).toISOString()).toBe('2026-11-23T23:00:00.000Z');
  });
});
