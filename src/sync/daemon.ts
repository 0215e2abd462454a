/**
 * The daemon: a daily cycle at the configured local time (plus polls in between for meters
 * synced more often than daily or waiting out a rate limit), the anomaly check and alert
 * delivery after each cycle, TimescaleDB's maintenance jobs on the embedded database (which
 * has no background workers), a heartbeat, and a clean stop on SIGTERM/SIGINT.
 * On the embedded database it serves the data over the PostgreSQL protocol on a local socket
 * (mode 0600, in the 0700 data directory) so the other commands keep working while it holds
 * the data directory. PGlite is one session: a socket client holds it for its whole
 * connection, queued with the daemon's own queries and transactions. koprogo-iot commands
 * open a connection per query or transaction, so their turns are short and interleave;
 * what remains is that any other client keeping a connection open (psql, a BI tool)
 * blocks everyone until it disconnects (a waiting connection gives up after 60 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config.js';
import {
  cycleFinished,
  cycleStarted,
  daemonStopped,
  heartbeat,
  registerDaemon,
} from '../db/daemons.js';
import { openDatabase } from '../db/open.js';
import { pruneProviderCalls } from '../db/providerCalls.js';
import { serveEmbeddedDatabase } from '../db/serveSocket.js';
import { closeAbandonedRuns, releaseAllLeases } from '../db/syncState.js';
import { runMaintenanceJobs } from '../db/timescale.js';
import { deliverPending } from '../notify/outbox.js';
import type { Logger } from '../ui/logger.js';
import { anomalyHook, consentLostHook } from './hooks.js';
import { startDaemonP1Meters } from './p1Meters.js';
import { intervalSlot, nextDailyRun, withJitter } from './scheduler.js';
import { createSyncEnv, newOwnerId } from './syncEnv.js';
import { syncDevices } from './syncDevices.js';
import { metersOnboarding } from '../db/onboarding.js';
import { runOnboarding } from './onboarding.js';
import { warnWhenNoMeter } from './noMeterWarning.js';
import { checkEncryptionKey } from './keyCheck.js';
import type { DeviceSyncResult } from './syncDevice.js';

export interface DaemonOptions {
  config: Config;
  log: Logger;
  env?: Record<string, string | undefined>;
  /** Run one cycle (all due meters) and return. */
  once?: boolean;
  signal: AbortSignal;
  /** Between daily cycles, look for frequent or rate-limited meters this often. */
  pollMs?: number;
  heartbeatMs?: number;
  fetch?: typeof fetch;
  minBackoffMs?: number;
  /** Called when the daemon is ready (database open, socket served). */
  onReady?: (info: { id: string; socket: string | null; nextCycleAt: Date | null }) => void;
}

export interface CycleOutcome {
  results: DeviceSyncResult[];
  status: 'ok' | 'partial' | 'failed' | 'idle' | 'interrupted';
}

function outcome(results: DeviceSyncResult[], aborted: boolean): CycleOutcome['status'] {
  if (aborted) return 'interrupted';
  if (results.length === 0) return 'idle';
  const bad = results.filter((r) => !['success', 'no_data'].includes(r.status)).length;
  return bad === 0 ? 'ok' : bad === results.length ? 'failed' : 'partial';
}

export async function runDaemon(o: DaemonOptions): Promise<CycleOutcome> {
  const { config, log } = o;
  const id = newOwnerId('daemon');
  const db = await openDatabase(config, {
    command: `koprogo-iot daemon (${id})`,
    viaDaemon: false,
  });
  let socket: Awaited<ReturnType<typeof serveEmbeddedDatabase>> = null;
  let last: CycleOutcome = { results: [], status: 'idle' };
  // P1 meters push their telegrams: one listener each, running beside the pull cycles.
  let p1: Awaited<ReturnType<typeof startDaemonP1Meters>> | null = null;
  let onboardingDone: Promise<void> = Promise.resolve();
  const hbTimer = setInterval(
    () => void heartbeat(db, id).catch(() => {}),
    o.heartbeatMs ?? 30_000,
  );
  hbTimer.unref();
  try {
    for (const n of db.notices) log.warn(n);
    socket = await serveEmbeddedDatabase(db.embedded, log);
    await registerDaemon(db, id);
    await warnWhenNoMeter(db, config, log);
    await checkEncryptionKey(db, o.env ?? process.env, config.encryptionKey);
    if (!o.once)
      p1 = await startDaemonP1Meters({
        db,
        log,
        encryptionKey: config.encryptionKey,
        env: o.env ?? process.env,
      });
    const env = createSyncEnv({
      db,
      config,
      log,
      owner: id,
      env: o.env,
      signal: o.signal,
      fetch: o.fetch,
      minBackoffMs: o.minBackoffMs,
      afterDevice: anomalyHook(db, config, log),
      onConsentLost: consentLostHook(log),
    });
    const { time, timeZone, jitterSeconds, everyMinutes } = config.sync.schedule;
    const nextCycle = () =>
      everyMinutes
        ? intervalSlot(new Date(), everyMinutes).next
        : withJitter(nextDailyRun(new Date(), time, timeZone), jitterSeconds);
    // An interval cycle takes the meters not synced in its slot yet; a daily one those due.
    const cycleFilter = (daily: boolean) =>
      everyMinutes && daily
        ? { dueOnly: false, notSyncedSince: intervalSlot(new Date(), everyMinutes).start }
        : { dueOnly: true, frequentOrWaiting: !daily };
    let nextDaily = nextCycle();
    await heartbeat(db, id, { nextCycleAt: o.once ? null : nextDaily });
    o.onReady?.({ id, socket: socket?.where ?? null, nextCycleAt: o.once ? null : nextDaily });
    log.info(o.once ? 'running one cycle' : 'daemon started', {
      id,
      engine: db.kind,
      next_cycle: o.once ? undefined : nextDaily.toISOString(),
    });

    // Enedis onboarding (newly linked meters under the application's quota) runs beside
    // the cycles, which leave the meters it holds alone.
    onboardingDone = o.once
      ? Promise.resolve()
      : runOnboarding(env, { stopWhenDone: false }).then(
          () => undefined,
          (e: Error) => {
            if (!o.signal.aborted) log.warn('onboarding stopped', { err: e.message });
          },
        );
    // A first cycle at start catches up on whatever is due (a restart after downtime).
    let daily = true;
    for (;;) {
      if (o.signal.aborted) break;
      await cycleStarted(db, id);
      const abandoned = await closeAbandonedRuns(db);
      if (abandoned > 0)
        log.info('closed the runs of a process that stopped mid-sync', { runs: abandoned });
      // Meters still onboarding are left to the planner, which spreads their history over
      // the application's quota.
      const onboardingIds = o.once ? [] : await metersOnboarding(db).catch(() => []);
      const results = await syncDevices(env, { ...cycleFilter(daily), exclude: onboardingIds });
      const delivered = await deliverPending(db, config, { log }).catch((e: Error) => {
        log.warn('alert delivery failed', { err: e.message });
        return null;
      });
      await pruneProviderCalls(db).catch(() => {});
      if (db.kind === 'embedded') {
        for (const j of await runMaintenanceJobs(db))
          if (!j.ok) log.warn('maintenance job failed', { job: j.job, err: j.error });
      }
      last = { results, status: outcome(results, o.signal.aborted) };
      if (results.length > 0 || daily)
        log.info('cycle done', {
          status: last.status,
          devices: results.length,
          readings: results.reduce((a, r) => a + r.synced_readings, 0),
          alerts_sent: delivered?.sent ?? 0,
        });
      if (o.once || o.signal.aborted) {
        await cycleFinished(db, id, last.status, null);
        break;
      }
      if (Date.now() >= nextDaily.getTime()) nextDaily = nextCycle();
      await cycleFinished(db, id, last.status, nextDaily);
      const wait = Math.max(0, Math.min(nextDaily.getTime() - Date.now(), o.pollMs ?? 15 * 60_000));
      daily = Date.now() + wait >= nextDaily.getTime();
      try {
        await sleep(wait, undefined, { signal: o.signal });
      } catch {
        break;
      }
    }
    return last;
  } finally {
    clearInterval(hbTimer);
    await p1
      ?.stop()
      .catch((e: Error) => log.warn('P1 listeners stopped badly', { err: e.message }));
    await onboardingDone;
    await releaseAllLeases(db, id).catch(() => {});
    await daemonStopped(db, id).catch(() => {});
    if (socket) await socket.stop();
    await db.close().catch(() => {});
    log.info('daemon stopped', { id });
  }
}
