/**
 * Pieces of the sync benchmarks: the tool's configuration aimed at the simulator, meters
 * registered straight into the database (as if linked), and the simulator's call counts.
 */
import { randomUUID } from 'node:crypto';
import { addDays, localDayOf, localDayStart } from '../../src/analytics/periods.js';
import { resolveConfig, type Config } from '../../src/config.js';
import { addBuilding } from '../../src/db/buildings.js';
import { insertDevice } from '../../src/db/devices.js';
import type { Database } from '../../src/db/types.js';
import type { SimMeter } from '../../src/simulator/loadModel.js';
import type { Simulator } from '../../src/simulator/server.js';
import { earliestDay } from '../../src/sync/windows.js';
import { createSyncEnv, type SyncEnv } from '../../src/sync/syncEnv.js';
import { benchLogger } from './common.js';

export const ENEDIS_ZONE = 'Europe/Paris';
export const HISTORY_DAYS = 730;

/** Application credentials the simulator accepts (it accepts any unless told otherwise). */
export const BENCH_ENV: Record<string, string> = {
  KOPROGO_IOT_ENEDIS_CLIENT_ID: 'bench-app',
  KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'bench-secret',
  IOT_ENCRYPTION_KEY: 'b'.repeat(64),
};

export interface RateLimit {
  perSecond: number;
  perHour: number;
}

/** The product's configuration with every provider URL on the simulator; defaults elsewhere. */
export function benchConfig(sim: Simulator, enedisRate: RateLimit): Config {
  return resolveConfig(
    {
      providers: {
        enedis: { baseUrl: sim.url, historyDays: HISTORY_DAYS, rateLimit: enedisRate },
        ores: { baseUrl: sim.url },
      },
    },
    BENCH_ENV,
    {},
    null,
  );
}

export function benchSyncEnv(db: Database, config: Config, signal: AbortSignal): SyncEnv {
  return createSyncEnv({ db, config, log: benchLogger(), env: BENCH_ENV, signal });
}

/** Today and yesterday in the Enedis zone: the one-day window of a daily sync. */
export function yesterdayWindow(now = new Date()): { fromDay: string; toDay: string } {
  const today = localDayOf(now, ENEDIS_ZONE);
  return { fromDay: addDays(today, -1), toDay: today };
}

/**
 * Enedis meters with data over the whole history (activated before it starts), so a
 * backfill asks ~105 windows of each and none before an activation date.
 */
export function fullHistoryMeters(sim: Simulator, count: number, now = new Date()): SimMeter[] {
  const first = localDayStart(
    earliestDay(localDayOf(now, ENEDIS_ZONE), HISTORY_DAYS),
    ENEDIS_ZONE,
  ).getTime();
  const out: SimMeter[] = [];
  // A quarter of the simulator's meters are recent; four tries per meter is plenty.
  for (let tries = 0; out.length < count && tries < count * 4; tries++) {
    const m = sim.createMeters('enedis', 1)[0];
    if (m && m.activationDate.getTime() <= first) out.push(m);
  }
  if (out.length < count)
    throw new Error(`the simulator gave only ${out.length} meters with a full history`);
  return out;
}

/** Adds a building and links the meters to it; returns the device ids. */
export async function registerMeters(
  db: Database,
  meters: readonly SimMeter[],
  name: string,
): Promise<string[]> {
  const b = await addBuilding(db, name, ENEDIS_ZONE);
  const ids: string[] = [];
  for (const m of meters) {
    const id = randomUUID();
    await insertDevice(db, { id, buildingId: b.id, prm: m.prm, provider: m.provider });
    ids.push(id);
  }
  return ids;
}

const LOAD_CURVE = /courbe_de_charge|load_curve/;

/** Load-curve calls the simulator received (429s included). */
export function loadCurveCalls(sim: Simulator): number {
  return Object.entries(sim.stats().calls)
    .filter(([path]) => LOAD_CURVE.test(path))
    .reduce((n, [, c]) => n + c, 0);
}

export function served429(sim: Simulator): number {
  return sim.stats().statuses['429'] ?? 0;
}

/**
 * Least time N calls need under "at most `perSecond` calls in any 1-second window", with
 * the first `perSecond` at t = 0: the k-th group of perSecond calls goes at k − 1 seconds,
 * so ⌈N / perSecond⌉ − 1 seconds (= (N − 5) / 5 s for 5/s when N is a multiple of 5).
 */
export function quotaLowerBoundSeconds(calls: number, perSecond: number): number {
  return Math.max(0, Math.ceil(calls / perSecond) - 1);
}
