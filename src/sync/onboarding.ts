/**
 * Onboarding of newly linked Enedis meters under the application's quota, shared by every
 * process through onboarding_tasks: each worker claims the next task (earliest stage of the
 * application, the meter that waited longest), makes one window's calls under the shared
 * limits, stores the readings and moves the task on in one transaction. A restart resumes
 * where the tasks stand; a meter whose curve is complete gets its checkpoint, so the regular
 * sync carries on from there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { localDayOf, localDayStart } from '../domain/localDays.js';
import type { MetricType, Reading } from '../domain/readings.js';
import { upsertReadings } from '../db/readings.js';
import { advanceCheckpoint } from '../db/syncState.js';
import {
  advanceTask,
  claimTask,
  insertPlan,
  metersWithoutPlan,
  postponeTask,
  type OnboardingTask,
} from '../db/onboarding.js';
import {
  DAILY_HISTORY_MONTHS,
  DAILY_MAX_DAYS_PER_CALL,
  type DailySeries,
  type EnedisProvider,
} from '../providers/enedis.js';
import { isProviderCallError } from '../providers/errors.js';
import { providerEntry } from '../providers/registry.js';
import type { LoadCurveKind } from '../providers/types.js';
import {
  callWithPolicy,
  findActivationDay,
  isBeforeFirstDay,
  type FetchPolicy,
} from './fetchWindow.js';
import { nextWindow, planMeter, windowsIn } from './onboardingPlan.js';
import { buildFetchPolicy } from './syncPolicy.js';
import type { SyncEnv } from './syncEnv.js';
import { toReadings } from './windowReadings.js';

export interface OnboardingOptions {
  /** Workers in this process (default sync.concurrency). */
  workers?: number;
  /** Return once no task is open (default true); false keeps polling for new meters. */
  stopWhenDone?: boolean;
  /** How long a claimed task is this process's, s. */
  leaseSeconds?: number;
  /** Called after each step (for progress and benchmarks). */
  onStep?: (task: OnboardingTask, done: boolean) => void;
}

export interface OnboardingStats {
  steps: number;
  calls: number;
  rateLimited: number;
  errors: number;
}

const IDLE_POLL_MS = 200;
const NEW_METER_POLL_MS = 30_000;

/** Plans every linked Enedis meter that has no plan yet; returns how many were planned. */
export async function planNewMeters(env: SyncEnv): Promise<number> {
  const settings = env.provider('enedis').settings;
  const today = localDayOf(env.clock(), settings.timeZone);
  const meters = await metersWithoutPlan(env.db);
  for (const m of meters) {
    const stages = planMeter({
      today,
      curveHistoryDays: settings.historyDays,
      curveDaysPerCall: settings.maxDaysPerCall,
      dailyHistoryMonths: DAILY_HISTORY_MONTHS,
      dailyDaysPerCall: DAILY_MAX_DAYS_PER_CALL,
      production: m.consent_production === true || env.config.sync.production,
    });
    await env.db.transaction((tx) => insertPlan(tx, m.id, stages));
  }
  return meters.length;
}

/** Runs the plan until every task is done (or the signal stops it). */
export async function runOnboarding(
  env: SyncEnv,
  opts: OnboardingOptions = {},
): Promise<OnboardingStats> {
  const stats: OnboardingStats = { steps: 0, calls: 0, rateLimited: 0, errors: 0 };
  await planNewMeters(env);
  const workers = opts.workers ?? env.config.sync.concurrency;
  const worker = async () => {
    for (;;) {
      if (env.signal?.aborted) return;
      const task = await claimTask(env.db, env.owner, opts.leaseSeconds ?? 300);
      if (!task) {
        const open = await anyOpenTask(env);
        if (opts.stopWhenDone !== false && !open) return;
        // Nothing to do at all: look for newly linked meters now and then only.
        const wait = open ? IDLE_POLL_MS : NEW_METER_POLL_MS;
        await sleep(wait, undefined, { signal: env.signal }).catch(() => undefined);
        if (opts.stopWhenDone === false && !env.signal?.aborted) await planNewMeters(env);
        continue;
      }
      const done = await runStep(env, task, stats);
      stats.steps++;
      opts.onStep?.(task, done);
    }
  };
  // Every worker ends before this returns, even when one failed: the caller may close the
  // database next.
  const ended = await Promise.allSettled(Array.from({ length: Math.max(1, workers) }, worker));
  const failed = ended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return stats;
}

async function anyOpenTask(env: SyncEnv): Promise<boolean> {
  const r = await env.db.query(`SELECT 1 FROM onboarding_tasks WHERE done_at IS NULL LIMIT 1`);
  return r.rows.length > 0;
}

/** The calls of one window of a task; returns true when its stage is complete. */
async function runStep(env: SyncEnv, task: OnboardingTask, stats: OnboardingStats) {
  const provider = env.provider('enedis') as EnedisProvider;
  const entry = providerEntry('enedis');
  const callStats = { calls: 0, rateLimited: 0, retried: 0 };
  const policy = buildFetchPolicy({
    env,
    device: { id: task.device_id, building_id: task.building_id },
    entry,
    provider,
    holder: { tokens: {} },
    stats: callStats,
    log: env.log,
    now: env.clock,
  });
  const daysPerCall =
    task.stage === 'daily' ? DAILY_MAX_DAYS_PER_CALL : provider.settings.maxDaysPerCall;
  const win = nextWindow(task.until_day, task.next_to, daysPerCall);
  const production = task.consent_production === true || env.config.sync.production;
  try {
    let readings: Reading[] = [];
    let reachedStart = false;
    if (win) {
      const got = await fetchTaskWindow(policy, provider, task, win, production);
      readings = got.readings;
      reachedStart = got.reachedStart;
    }
    const nextTo = win && !reachedStart ? win.fromDay : task.until_day;
    const done = nextTo <= task.until_day;
    const series = production ? 2 : 1;
    const callsLeft = done ? 0 : series * windowsIn(task.until_day, nextTo, daysPerCall);
    await env.db.transaction(async (tx) => {
      if (readings.length > 0) await upsertReadings(tx, readings);
      await advanceTask(tx, task, { nextTo, calls: callStats.calls, callsLeft, done });
      if (done && task.stage === 'curve') {
        // The whole curve history is there (yesterday's stage ends today): the regular sync
        // goes on from today.
        const zone = provider.settings.timeZone;
        const today = localDayOf(env.clock(), zone);
        await advanceCheckpoint(tx, task.device_id, localDayStart(today, zone), null);
      }
    });
    stats.calls += callStats.calls;
    stats.rateLimited += callStats.rateLimited;
    return done;
  } catch (e) {
    if (env.signal?.aborted) {
      // Stopped: the task goes back at once, for this process after a restart or another one.
      await postponeTask(env.db, task, 0, 'interrupted', callStats.calls);
      throw e;
    }
    stats.calls += callStats.calls;
    stats.rateLimited += callStats.rateLimited;
    const limited = isProviderCallError(e) && e.kind === 'rate_limited';
    if (!limited) stats.errors++;
    const wait = limited ? Math.ceil((e.retryAfterMs ?? 1000) / 1000) : 600;
    await postponeTask(env.db, task, wait, (e as Error).message, callStats.calls);
    return false;
  }
}

interface TaskWindow {
  readings: Reading[];
  /** The provider holds nothing before this window (activation or consent start). */
  reachedStart: boolean;
}

/** One window of a task: the curve (consumption, production) or the daily totals. */
async function fetchTaskWindow(
  policy: FetchPolicy,
  provider: EnedisProvider,
  task: OnboardingTask,
  win: { fromDay: string; toDay: string },
  production: boolean,
): Promise<TaskWindow> {
  const kinds: ('consumption' | 'production')[] = production
    ? ['consumption', 'production']
    : ['consumption'];
  let from = win.fromDay;
  let reachedStart = false;
  const readings: Reading[] = [];
  for (const kind of kinds) {
    const ask = (fromDay: string) =>
      task.stage === 'daily'
        ? dailyCall(policy, provider, task, kind, fromDay, win.toDay)
        : curveCall(policy, provider, task, kind, fromDay, win.toDay);
    try {
      readings.push(...(await ask(from)));
    } catch (e) {
      if (!isBeforeFirstDay(e)) throw e;
      // Nothing before some day inside this window: find it, fetch from it, stop the stage.
      reachedStart = true;
      if (kind !== 'consumption') continue;
      const curveKind: LoadCurveKind = 'consumption';
      from = await findActivationDay(policy, {
        prm: task.prm,
        kind: curveKind,
        knownBefore: win.fromDay,
        endDay: win.toDay,
      });
      if (from >= win.toDay) continue;
      readings.push(...(await ask(from)));
    }
  }
  return { readings, reachedStart };
}

async function curveCall(
  policy: FetchPolicy,
  provider: EnedisProvider,
  task: OnboardingTask,
  kind: 'consumption' | 'production',
  fromDay: string,
  toDay: string,
): Promise<Reading[]> {
  const res = await callWithPolicy(policy, (signal) =>
    provider.fetchLoadCurve({
      prm: task.prm,
      kind,
      fromDay,
      toDay,
      tokens: {},
      ...(signal ? { signal } : {}),
    }),
  );
  if (res === 'no_data') return [];
  const metric: MetricType =
    kind === 'production' ? 'electricity_production' : 'electricity_consumption';
  return toReadings(task, metric, providerEntry('enedis').readingSource, res.readings);
}

async function dailyCall(
  policy: FetchPolicy,
  provider: EnedisProvider,
  task: OnboardingTask,
  kind: 'consumption' | 'production',
  fromDay: string,
  toDay: string,
): Promise<Reading[]> {
  const series: DailySeries = kind;
  const res = await callWithPolicy(policy, (signal) =>
    provider.fetchDailySeries({
      prm: task.prm,
      series,
      fromDay,
      toDay,
      ...(signal ? { signal } : {}),
    }),
  );
  if (res === 'no_data') return [];
  return res.readings.map((r) => ({
    buildingId: task.building_id,
    deviceRef: task.prm,
    deviceType: 'electricity_meter' as const,
    metricType: res.metric,
    timestamp: r.timestamp,
    intervalSeconds: r.intervalSeconds,
    value: r.value,
    unit: r.unit,
    source: providerEntry('enedis').readingSource,
  }));
}
