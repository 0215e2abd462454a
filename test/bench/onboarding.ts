/**
 * Onboarding bench: 100 Enedis meters linked at once, two planner processes (each with its
 * own connection to one PostgreSQL server and its own in-process limiter) against the
 * simulator at 5 calls/s and 1,000 calls/h. Prints when every meter has yesterday, when
 * every meter has its daily totals, when every curve is complete, each against the least
 * time the quota allows for the calls made until then, and the 429s the simulator served.
 *
 * A full 24-month curve is 105 calls a meter: 10,500 calls, over ten hours at 1,000/h. The
 * curve's history and the hourly quota can be scaled for a shorter run, and the output
 * says so: ONBOARDING_METERS (100), ONBOARDING_CURVE_DAYS (28), ONBOARDING_HOUR_FACTOR (1).
 */
import { randomUUID } from 'node:crypto';
import { addDays, localDayOf, localDayStart } from '../../src/analytics/periods.js';
import { resolveConfig } from '../../src/config.js';
import { addBuilding } from '../../src/db/buildings.js';
import { insertDevice } from '../../src/db/devices.js';
import { migrate } from '../../src/db/migrate.js';
import { openServerDatabase } from '../../src/db/server.js';
import type { Database } from '../../src/db/types.js';
import type { SimMeter } from '../../src/simulator/loadModel.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { runOnboarding } from '../../src/sync/onboarding.js';
import { createSyncEnv } from '../../src/sync/syncEnv.js';
import {
  benchLogger,
  createServerDatabase,
  findServer,
  fixed,
  int,
  progress,
  type Print,
} from './common.js';
import { BENCH_ENV, ENEDIS_ZONE } from './syncSetup.js';

const PER_SECOND = 5;
const PER_HOUR = 1000;
const DAILY_DAYS = 1095;

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Least time for n calls under at most `perSecond` in any second and `perHour` in any hour:
 * the hour's calls at full speed, then each further batch of perHour an hour later.
 */
export function onboardingLowerBoundSeconds(n: number, perSecond: number, perHour: number): number {
  if (n <= 0) return 0;
  const fullHours = Math.floor((n - 1) / perHour);
  const rest = n - fullHours * perHour;
  return fullHours * 3600 + Math.max(0, Math.ceil(rest / perSecond) - 1);
}

/** Meters with data over the whole daily history (36 months), so no activation search. */
function oldMeters(sim: Simulator, count: number): SimMeter[] {
  const first = localDayStart(
    addDays(localDayOf(new Date(), ENEDIS_ZONE), -DAILY_DAYS - 2),
    ENEDIS_ZONE,
  ).getTime();
  const out: SimMeter[] = [];
  for (let tries = 0; out.length < count && tries < count * 8; tries++) {
    const m = sim.createMeters('enedis', 1)[0];
    if (m && m.activationDate.getTime() <= first) out.push(m);
  }
  if (out.length < count) throw new Error(`only ${out.length} simulated meters have 36 months`);
  return out;
}

async function link(db: Database, meters: SimMeter[]): Promise<void> {
  const b = await addBuilding(db, `Onboarding ${randomUUID().slice(0, 6)}`, ENEDIS_ZONE);
  for (const m of meters)
    await insertDevice(db, { id: randomUUID(), buildingId: b.id, prm: m.prm, provider: 'enedis' });
}

export async function run(print: Print): Promise<void> {
  const server = await findServer();
  if (!server.url) {
    print(`  skipped: ${server.reason ?? 'no PostgreSQL server'}`);
    return;
  }
  const meters = envNumber('ONBOARDING_METERS', 100);
  const curveDays = envNumber('ONBOARDING_CURVE_DAYS', 28);
  const factor = envNumber('ONBOARDING_HOUR_FACTOR', 1);
  const perHour = Math.round(PER_HOUR * factor);
  const sim = await startSimulator({
    port: 0,
    seed: 7,
    quotas: { enedisPerSecond: PER_SECOND, enedisPerHour: perHour },
  });
  const created = await createServerDatabase(server.url);
  const dbs: Database[] = [];
  try {
    for (let i = 0; i < 2; i++)
      dbs.push(
        await openServerDatabase({ url: created.url, max: 4, applicationName: `onboarding-${i}` }),
      );
    await migrate(dbs[0] as Database);
    const config = resolveConfig(
      {
        providers: {
          enedis: {
            baseUrl: sim.url,
            historyDays: curveDays,
            rateLimit: { perSecond: PER_SECOND, perHour },
          },
        },
        sync: { concurrency: 8 },
      },
      BENCH_ENV,
      {},
      null,
    );
    await link(dbs[0] as Database, oldMeters(sim, meters));
    sim.resetStats();
    const curveWindows = Math.ceil((curveDays - 1) / 7);
    const perMeter = { yesterday: 1, daily: 3, curve: curveWindows };
    const left = { yesterday: meters, daily: meters, curve: meters };
    const at: Record<string, number> = {};
    const t0 = performance.now();
    const onStep = (task: { stage: 'yesterday' | 'daily' | 'curve' }, done: boolean) => {
      if (!done) return;
      left[task.stage]--;
      if (left[task.stage] === 0) at[task.stage] = (performance.now() - t0) / 1000;
      if (left[task.stage] % 20 === 0)
        progress(`${task.stage}: ${meters - left[task.stage]}/${meters} meters`);
    };
    const envs = dbs.map((db, i) =>
      createSyncEnv({ db, config, log: benchLogger(), env: BENCH_ENV, owner: `onboarding:${i}` }),
    );
    const stats = await Promise.all(envs.map((env) => runOnboarding(env, { onStep })));
    const calls = stats.reduce((n, s) => n + s.calls, 0);

    print(
      `  ${meters} meters, two planner processes on one PostgreSQL server; simulator and client at ${PER_SECOND} calls/s and ${int(perHour)} calls/h` +
        (factor !== 1 ? ` (the documented 1,000/h scaled by ${factor})` : ''),
    );
    print(
      `  curve history ${curveDays} days (${curveWindows} calls a meter; the product's 730 days = 105)` +
        `, daily totals 36 months (3 calls a meter)`,
    );
    let cumulative = 0;
    for (const stage of ['yesterday', 'daily', 'curve'] as const) {
      cumulative += perMeter[stage] * meters;
      const bound = onboardingLowerBoundSeconds(cumulative, PER_SECOND, perHour);
      const t = at[stage];
      const label = {
        yesterday: 'every meter has yesterday',
        daily: 'every meter has 36 months of daily totals',
        curve: 'every curve complete',
      }[stage];
      print(
        `  ${label}: ${t === undefined ? 'not reached' : `${fixed(t, 1)} s`}` +
          ` — lower bound ${int(bound)} s for ${int(cumulative)} calls` +
          (t !== undefined && bound > 0 ? `, ratio ${fixed(t / bound, 2)}` : ''),
      );
    }
    const yesterdayBound = onboardingLowerBoundSeconds(meters * 1.1, PER_SECOND, perHour);
    print(
      `  yesterday aim: within the time of ${int(meters)} calls + 10 % = ${int(yesterdayBound)} s`,
    );
    print(
      `  provider calls made: ${int(calls)}; 429 answers served: ${int(sim.stats().statuses['429'] ?? 0)}`,
    );
  } finally {
    for (const db of dbs) await db.close().catch(() => {});
    await created.drop().catch(() => {});
    await sim.close();
  }
}
