/**
 * A sync through a 429 storm, 5xx answers, hung requests, malformed and truncated bodies
 * ends, after a few runs, with exactly the rows an undisturbed run stores: every reading
 * once, the right values, no gap left.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import type { DeviceSyncResult } from '../../../src/sync/syncDevice.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  expectedRows,
  gapDays,
  historyRange,
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  runningClock,
  startTestSimulator,
  storedRows,
  syncConfig,
  syncRuns,
} from './helpers.js';

const HISTORY = 10;
const MAX_RUNS = 10;

describe.each(ENGINES)('sync under injected faults (%s database)', (engine) => {
  let clean: TestDatabase;
  let faulty: TestDatabase;
  let sim: Simulator;

  beforeAll(async () => {
    [clean, faulty] = await Promise.all([openTestDatabase(engine), openTestDatabase(engine)]);
    // A running clock, so nextAccessTime in the 429s asks for real waits.
    sim = await startTestSimulator({ now: runningClock(), quotas: { oresMinIntervalMs: 0 } });
  });
  afterAll(async () => {
    await sim?.close();
    await clean?.close();
    await faulty?.close();
  });

  it('completes later with every reading exactly once', async () => {
    const meters = [...sim.createMeters('enedis', 3), ...sim.createMeters('ores', 1)];
    const prms = meters.map((m) => m.prm);
    // The faulty runs: two tries per window and a short timeout, so faults end runs early
    // and the next run resumes.
    const config = syncConfig(sim, { historyDays: HISTORY, timeoutMs: 1000, retries: 2 });

    const cleanDevices = await registerMeters(clean.db, sim, await newBuilding(clean.db), meters);
    const undisturbed = await syncDevices(
      makeSyncEnv(clean.db, syncConfig(sim, { historyDays: HISTORY })),
      { dueOnly: false },
      { now: NOW },
    );
    expect(undisturbed.map((r) => r.status)).toEqual(cleanDevices.map(() => 'success'));
    const reference = await storedRows(clean.db, prms);
    const { fromDay, toDay } = historyRange(HISTORY);
    const model = meters.flatMap((m) =>
      expectedRows(m, fromDay, toDay, m.provider === 'ores' ? 'Europe/Brussels' : 'Europe/Paris'),
    );
    expect(reference.length).toBe(model.length);

    const devices = await registerMeters(faulty.db, sim, await newBuilding(faulty.db), meters);
    sim.resetStats();
    const latest = new Map<string, DeviceSyncResult>();
    let runs = 0;
    for (; runs < MAX_RUNS; runs++) {
      // First a 429 storm, then everything else at once.
      sim.setFaults(
        runs === 0
          ? { rate429: 0.6 }
          : {
              rate429: 0.1,
              rate500: 0.15,
              rate503: 0.1,
              timeoutRate: 0.05,
              malformedRate: 0.1,
              truncatedRate: 0.1,
            },
      );
      const res = await syncDevices(
        makeSyncEnv(faulty.db, config),
        { dueOnly: false },
        { now: NOW },
      );
      for (const r of res) latest.set(r.prm, r);
      const gaps = (await Promise.all(devices.map((d) => gapDays(faulty.db, d.id)))).flat();
      const done =
        devices.every((d) => latest.get(d.prm)?.status === 'success') && gaps.length === 0;
      if (done && runs > 0) break;
      // A device held back by a persisted 429 wait is not claimed until it has passed.
      if (res.length < devices.length) await sleep(1100);
    }
    expect(runs).toBeLessThan(MAX_RUNS);
    const f = sim.stats().faults;
    expect(f['429']).toBeGreaterThan(0);
    expect(f['500'] + f['503']).toBeGreaterThan(0);
    expect(f.malformed + f.truncated).toBeGreaterThan(0);

    // A last undisturbed pass writes nothing: the faulty runs stored everything already.
    sim.setFaults({});
    const last = await syncDevices(
      makeSyncEnv(faulty.db, config),
      { dueOnly: false },
      { now: NOW },
    );
    expect(last.map((r) => [r.status, r.synced_readings])).toEqual(
      devices.map(() => ['success', 0]),
    );

    const rows = await storedRows(faulty.db, prms);
    expect(rows).toEqual(reference);
    const truth = new Map(model.map((m) => [`${m.prm} ${m.ts}`, m.kwh]));
    for (const r of rows) expect(r.kwh).toBeCloseTo(truth.get(`${r.prm} ${r.ts}`) ?? NaN, 9);

    // The audit trail: every run finished; the failed ones say why.
    const audit = await syncRuns(faulty.db);
    expect(audit.length).toBeGreaterThanOrEqual(devices.length * 2);
    for (const run of audit) {
      expect(run.finished_at).not.toBeNull();
      if (run.status === 'success') expect(run.error_class).toBeNull();
      else if (run.status === 'no_data') {
        // A 200 whose body has no readings at all (a malformed variant the parsers read as
        // empty): its days are recorded as gaps and asked again, never taken as complete.
        expect(run.gaps).toBeGreaterThan(0);
      } else {
        expect(['partial', 'failed']).toContain(run.status);
        expect(['transient', 'malformed', 'rate_limited']).toContain(run.error_class);
        expect(run.error_message).toBeTruthy();
      }
    }
    const written = audit.reduce((n, r) => n + r.readings_written, 0);
    expect(written).toBe(model.length);
    // Retries were counted as calls: more calls than windows were needed.
    expect(audit.reduce((n, r) => n + r.calls, 0)).toBeGreaterThan(devices.length * 2);
  });
});
