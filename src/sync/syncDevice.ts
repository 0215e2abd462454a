/**
 * Sync of one meter: plan the windows, fetch each under the policy, and for each window
 * write its readings, its gap days and the checkpoint in ONE transaction, so a crash at any
 * point leaves either the whole window or none of it, and the next run resumes there.
 * Each step lives in its own module (syncPlan, syncPolicy, activationSearch, windowReadings,
 * syncOutcome); this file runs them in order.
 */
import { localDayOf, localDayStart } from '../domain/localDays.js';
import { loadConsentDetails } from '../db/consentDetails.js';
import { upsertReadings } from '../db/readings.js';
import {
  advanceCheckpoint,
  dropGapsBefore,
  finishDeviceSync,
  finishSyncRun,
  pendingGaps,
  recordGaps,
  renewLease,
  setNotBefore,
  startSyncRun,
  type SyncDevice,
  type SyncRunEnd,
} from '../db/syncState.js';
import type { Database } from '../db/types.js';
import type { Reading } from '../domain/readings.js';
import { providerEntry, type ProviderEntry } from '../providers/registry.js';
import type { Logger } from '../ui/logger.js';
import {
  fetchSeriesFromActivation,
  clipToActivation,
  type ActivationState,
} from './activationSearch.js';
import type { FetchPolicy } from './fetchWindow.js';
import {
  lastPlannedDay,
  planDeviceWindows,
  resultRange,
  runBounds,
  seriesToFetch,
  syncHorizon,
  type SeriesToFetch,
  type SyncHorizon,
} from './syncPlan.js';
import { acquireTokens, buildFetchPolicy } from './syncPolicy.js';
import {
  consentLost,
  failureOutcome,
  lastSyncAt,
  LeaseLostError,
  successOutcome,
  type SyncOutcome,
} from './syncOutcome.js';
import type { SyncEnv } from './syncEnv.js';
import { toReadings, windowCoverage, type GapDay } from './windowReadings.js';
import type { Window } from './windows.js';

export interface DeviceSyncResult {
  device_id: string;
  prm: string;
  provider: string;
  building: string;
  status: SyncRunEnd['status'];
  synced_readings: number;
  calls: number;
  windows: number;
  gaps: number;
  date_range: { start: string; end: string } | null;
  anomalies_detected: number;
  last_sync_at: string | null;
  error?: { class: string; message: string };
}

export interface DeviceSyncOptions {
  /** Local days (provider zone). */
  fromDay?: string;
  toDay?: string;
  /** The instant the sync plans from (default: the environment's clock). */
  now?: Date;
}

/** What the window loop carries from one window to the next. */
interface WindowProgress {
  written: number;
  anyData: boolean;
  dataStart: Date | null;
}

export async function syncDevice(
  env: SyncEnv,
  device: SyncDevice,
  opts: DeviceSyncOptions = {},
): Promise<DeviceSyncResult> {
  const started = env.clock().getTime();
  const now = opts.now ?? env.clock();
  const entry = providerEntry(device.provider);
  const provider = env.provider(entry.name);
  const horizon = syncHorizon(now, provider.settings);
  const log = env.log.child({ prm: device.prm, provider: device.provider });
  const stats = { calls: 0, rateLimited: 0, retried: 0 };
  const { windows, runId } = await startRun(env, device, provider.settings, horizon, opts);

  const progress: WindowProgress = {
    written: 0,
    anyData: false,
    dataStart: device.data_start_at ? new Date(device.data_start_at) : null,
  };
  let outcome: SyncOutcome;
  try {
    const holder = await acquireTokens(env, device, entry);
    const policy = buildFetchPolicy({
      env,
      device,
      entry,
      provider,
      holder,
      stats,
      log,
      now: env.clock,
    });
    await syncWindows(env, { device, entry, policy, horizon, windows, log }, progress);
    if (stats.rateLimited > 0) await setNotBefore(env.db, device.id, null);
    outcome = successOutcome(progress.anyData, windows.length);
  } catch (e) {
    outcome = failureOutcome(e, {
      aborted: env.signal?.aborted === true,
      written: progress.written,
      consentExpiresAt: device.consent_expires_at,
      now,
      relinkCommand: `koprogo-iot link --provider ${device.provider} --prm ${device.prm}`,
    });
  }
  return finishRun(env, device, {
    runId,
    outcome,
    stats,
    progress,
    windows,
    horizon,
    started,
    log,
  });
}

interface RunEnd {
  runId: number;
  outcome: SyncOutcome;
  stats: FetchPolicy['stats'];
  progress: WindowProgress;
  windows: Window[];
  horizon: SyncHorizon;
  /** Clock time the sync started at (ms). */
  started: number;
  log: Logger;
}

/** Records how the run ended, runs the anomaly check, and builds the result. */
async function finishRun(env: SyncEnv, device: SyncDevice, r: RunEnd): Promise<DeviceSyncResult> {
  const remainingGaps = (await pendingGaps(env.db, device.id, r.horizon.earliest)).length;
  const end: SyncRunEnd = {
    status: r.outcome.status,
    calls: r.stats.calls,
    readingsWritten: r.progress.written,
    gaps: remainingGaps,
    errorClass: r.outcome.errorClass,
    errorMessage: r.outcome.errorMessage,
    durationMs: env.clock().getTime() - r.started,
  };
  await recordOutcome(env, device, r.runId, end, r.outcome);
  const anomalies = await detectAfterSync(env, device, r.outcome, r.progress.anyData, r.log);
  // journald filters by priority: a failure is an error, a partial or interrupted run a warning.
  const level =
    r.outcome.status === 'failed'
      ? 'error'
      : r.outcome.status === 'partial' || r.outcome.status === 'interrupted'
        ? 'warn'
        : 'info';
  r.log[level](`sync ${r.outcome.status}`, {
    readings: end.readingsWritten,
    calls: end.calls,
    windows: r.windows.length,
    gaps: remainingGaps,
    ms: end.durationMs,
  });
  return syncResult(device, r.outcome, end, {
    windows: r.windows,
    zone: r.horizon.zone,
    anomalies,
    now: env.clock(),
  });
}

/** Forgets gaps past the history, plans the windows and opens the run row. */
async function startRun(
  env: SyncEnv,
  device: SyncDevice,
  settings: { historyDays: number; maxDaysPerCall: number },
  horizon: SyncHorizon,
  opts: DeviceSyncOptions,
): Promise<{ windows: Window[]; runId: number }> {
  await dropGapsBefore(env.db, device.id, horizon.earliest);
  const windows = planDeviceWindows({
    horizon,
    settings,
    overlapDays: env.config.sync.overlapDays,
    device,
    fromDay: opts.fromDay,
    toDay: opts.toDay,
    gapDays: await pendingGaps(env.db, device.id, horizon.earliest),
    maxGapWindows: env.maxGapWindows,
  });
  const bounds = runBounds(windows, horizon.zone);
  const runId = await startSyncRun(env.db, {
    device_id: device.id,
    prm: device.prm,
    daemon_id: env.owner,
    window_start: bounds.start,
    window_end: bounds.end,
  });
  env.progress?.addTotal(windows.length);
  return { windows, runId };
}

/** The result handed back: what was written, asked and left, and how it ended. */
export function syncResult(
  device: SyncDevice,
  outcome: SyncOutcome,
  end: SyncRunEnd,
  o: { windows: Window[]; zone: string; anomalies: number; now: Date },
): DeviceSyncResult {
  const result: DeviceSyncResult = {
    device_id: device.id,
    prm: device.prm,
    provider: device.provider,
    building: device.building_name,
    status: outcome.status,
    synced_readings: end.readingsWritten,
    calls: end.calls,
    windows: o.windows.length,
    gaps: end.gaps,
    date_range: resultRange(o.windows, o.zone),
    anomalies_detected: o.anomalies,
    last_sync_at: lastSyncAt(outcome, o.now, device.last_sync_at),
  };
  if (outcome.errorClass !== null)
    result.error = { class: outcome.errorClass, message: outcome.errorMessage ?? '' };
  return result;
}

interface WindowLoop {
  device: SyncDevice;
  entry: ProviderEntry;
  policy: FetchPolicy;
  horizon: SyncHorizon;
  windows: Window[];
  log: Logger;
}

/** Every window in turn, each under a renewed lease, each stored in its own transaction. */
async function syncWindows(env: SyncEnv, l: WindowLoop, progress: WindowProgress) {
  // Production when asked for, or when the consent lists injection (the meter feeds the grid).
  const consent = await loadConsentDetails(env.db, l.device.id);
  const series = seriesToFetch(env.config.sync.production || consent.production === true);
  const activation: ActivationState = {
    day: null,
    searchEnd: lastPlannedDay(l.windows, l.horizon.today),
    consentStartDay: consent.startsAt ? localDayOf(consent.startsAt, l.horizon.zone) : null,
  };
  for (const w of l.windows) {
    if (env.signal?.aborted) throw env.signal.reason;
    if (!(await renewLease(env.db, l.device.id, env.owner, env.config.sync.leaseSeconds)))
      throw new LeaseLostError('the lease on this device was lost (another process took it over)');
    const readings = await fetchWindowReadings(l, w, series, activation);
    const cov = windowCoverage(readings, w, l.horizon.zone, progress.dataStart);
    progress.dataStart = cov.dataStart;
    const n = await storeWindow(env.db, l.device.id, w, l.horizon.zone, {
      readings,
      checkedDays: cov.checkedDays,
      gaps: cov.gaps,
      dataStart: cov.dataStart,
    });
    if (readings.length > 0) progress.anyData = true;
    progress.written += n;
    env.progress?.tick(1);
    l.log.debug('window done', {
      from: w.fromDay,
      to: w.toDay,
      readings: readings.length,
      written: n,
      gaps: cov.gaps.length,
    });
  }
}

/** The readings of one window, every series; none when the window is before activation. */
async function fetchWindowReadings(
  l: WindowLoop,
  w: Window,
  series: SeriesToFetch[],
  activation: ActivationState,
): Promise<Reading[]> {
  // Once the activation day is known, windows before it cost no call.
  let win = clipToActivation(w, activation.day);
  let readings: Reading[] = [];
  for (const s of series) {
    if (!win) break;
    const got = await fetchSeriesFromActivation(l.policy, l.device.prm, s.kind, win, activation);
    if (got === 'before_activation') break;
    win = got.window;
    readings = readings.concat(
      toReadings(l.device, s.metric, l.entry.readingSource, got.answer.readings),
    );
  }
  return readings;
}

/** A window's readings, gap days and (for a range window) the checkpoint, in one transaction. */
async function storeWindow(
  db: Database,
  deviceId: string,
  w: Window,
  zone: string,
  data: { readings: Reading[]; checkedDays: string[]; gaps: GapDay[]; dataStart: Date | null },
): Promise<number> {
  return db.transaction(async (tx) => {
    const count = data.readings.length ? await upsertReadings(tx, data.readings) : 0;
    await recordGaps(tx, deviceId, data.checkedDays, data.gaps);
    if (w.kind === 'range')
      await advanceCheckpoint(tx, deviceId, localDayStart(w.toDay, zone), data.dataStart);
    return count;
  });
}

/** The run row, the device row, and the consent alert when the consent is gone. */
async function recordOutcome(
  env: SyncEnv,
  device: SyncDevice,
  runId: number,
  end: SyncRunEnd,
  outcome: SyncOutcome,
) {
  await finishSyncRun(env.db, runId, end);
  await finishDeviceSync(env.db, device.id, outcome.status, outcome.device ?? {});
  if (consentLost(outcome)) await env.onConsentLost?.(device, outcome.device?.message ?? '');
}

/** The anomaly check after a sync that brought data; its failure never fails the sync. */
async function detectAfterSync(
  env: SyncEnv,
  device: SyncDevice,
  outcome: SyncOutcome,
  anyData: boolean,
  log: Logger,
): Promise<number> {
  if (!anyData || !env.afterDevice || outcome.status === 'interrupted') return 0;
  try {
    return await env.afterDevice(device);
  } catch (e) {
    log.warn('anomaly check failed', { err: (e as Error).message });
    return 0;
  }
}
