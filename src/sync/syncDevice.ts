/**
 * Sync of one meter: plan the windows, fetch each under the policy, and for each window
 * write its readings, its gap days and the checkpoint in ONE transaction, so a crash at any
 * point leaves either the whole window or none of it, and the next run resumes there.
 */
import { localDayOf, localDayStart } from '../analytics/periods.js';
import { keyringFromEnv, providerHasDeviceTokens, sealingKey } from '../link/keyring.js';
import { loadDeviceTokens } from '../db/devices.js';
import { takeHourlyCall } from '../db/providerCalls.js';
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
import { UserError } from '../domain/errors.js';
import type { MetricType, Reading } from '../domain/readings.js';
import { isProviderCallError, ProviderCallError } from '../providers/errors.js';
import type { DeviceTokens, LoadCurveKind } from '../providers/types.js';
import {
  fetchWindow,
  findActivationDay,
  isBeforeActivation as beforeActivation,
  type FetchPolicy,
} from './fetchWindow.js';
import { refreshDeviceTokens } from './tokens.js';
import { coverageByDay, earliestDay, planWindows, type Window } from './windows.js';
import type { SyncEnv } from './syncEnv.js';

/** This process no longer holds the meter's lease: stop quietly, the holder syncs it. */
class LeaseLostError extends UserError {}

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
  now?: Date;
}

function errorClass(e: unknown): string {
  if (isProviderCallError(e)) return e.kind;
  if (e instanceof UserError) return e.name;
  return 'internal';
}

export async function syncDevice(
  env: SyncEnv,
  device: SyncDevice,
  opts: DeviceSyncOptions = {},
): Promise<DeviceSyncResult> {
  const started = Date.now();
  const now = opts.now ?? new Date();
  const provider = env.provider(device.provider);
  const settings = provider.settings;
  const zone = settings.timeZone;
  const today = localDayOf(now, zone);
  const earliest = earliestDay(today, settings.historyDays);
  const log = env.log.child({ prm: device.prm, provider: device.provider });
  const stats = { calls: 0, rateLimited: 0, retried: 0 };
  let written = 0;
  let status: SyncRunEnd['status'] = 'success';
  let failure: unknown = null;
  let anyData = false;
  let deviceStatus: 'active' | 'consent_expired' | 'consent_revoked' | 'error' | undefined =
    'active';
  let statusMessage: string | null = null;

  await dropGapsBefore(env.db, device.id, earliest);
  const windows = planWindows({
    today,
    historyDays: settings.historyDays,
    maxDaysPerCall: settings.maxDaysPerCall,
    overlapDays: env.config.sync.overlapDays,
    checkpointDay: device.checkpoint_at ? localDayOf(new Date(device.checkpoint_at), zone) : null,
    dataStartDay: device.data_start_at ? localDayOf(new Date(device.data_start_at), zone) : null,
    fromDay: opts.fromDay,
    toDay: opts.toDay,
    gapDays: await pendingGaps(env.db, device.id, earliest),
    maxGapWindows: env.maxGapWindows,
  });
  const first = windows.find((w) => w.kind === 'range') ?? windows[0];
  const last = windows[windows.length - 1];
  const runId = await startSyncRun(env.db, {
    device_id: device.id,
    prm: device.prm,
    daemon_id: env.owner,
    window_start: first ? localDayStart(first.fromDay, zone) : null,
    window_end: last ? localDayStart(last.toDay, zone) : null,
  });
  env.progress?.addTotal(windows.length);

  let tokens: DeviceTokens = {};
  const needsTokens = providerHasDeviceTokens(device.provider);
  let dataStart: Date | null = device.data_start_at ? new Date(device.data_start_at) : null;
  const kinds: { kind: LoadCurveKind; metric: MetricType }[] = [
    { kind: 'consumption', metric: 'electricity_consumption' },
  ];
  if (env.config.sync.production)
    kinds.push({ kind: 'production', metric: 'electricity_production' });

  try {
    if (needsTokens)
      tokens = await loadDeviceTokens(
        env.db,
        device,
        keyringFromEnv(env.env, env.config.encryptionKey ?? undefined),
      );
    const policy: FetchPolicy = {
      provider,
      limiter: env.limiter(device.provider),
      limiterKey: device.provider === 'ores' ? device.building_id : undefined,
      tries: env.config.sync.retries,
      minBackoffMs: env.minBackoffMs,
      maxRateLimitWaitMs: env.maxRateLimitWaitMs,
      signal: env.signal,
      stats,
      getTokens: () => tokens,
      refreshTokens: async () => {
        if (!needsTokens)
          throw new ProviderCallError(
            'consent_invalid',
            'the provider rejected the application token',
          );
        const keyring = keyringFromEnv(env.env, env.config.encryptionKey ?? undefined);
        tokens = await refreshDeviceTokens(
          env.db,
          provider,
          device.id,
          { keyring, key: sealingKey(env.config.encryptionKey) },
          tokens,
          env.signal,
        );
        log.info('refreshed the access token');
      },
      onRateLimited: (until) => setNotBefore(env.db, device.id, until),
      takeSharedQuota: settings.rateLimit.perHour
        ? async () => {
            const q = await takeHourlyCall(
              env.db,
              device.provider,
              settings.rateLimit.perHour as number,
            );
            return q.allowed ? null : q.nextHour;
          }
        : undefined,
    };

    const lastDay = windows.reduce((m, x) => (x.toDay > m ? x.toDay : m), today);
    let activationDay: string | null = null;
    for (const w of windows) {
      if (env.signal?.aborted) throw env.signal.reason;
      if (!(await renewLease(env.db, device.id, env.owner, env.config.sync.leaseSeconds)))
        throw new LeaseLostError(
          'the lease on this device was lost (another process took it over)',
        );
      let win: Window = w;
      let readings: Reading[] = [];
      let skipped = false;
      // Once the activation day is known, windows before it cost no call.
      if (activationDay !== null && w.toDay <= activationDay) skipped = true;
      else if (activationDay !== null && w.fromDay < activationDay)
        win = { ...w, fromDay: activationDay };
      for (const k of kinds) {
        if (skipped) break;
        let answer;
        for (;;) {
          try {
            answer = await fetchWindow(policy, {
              prm: device.prm,
              kind: k.kind,
              fromDay: win.fromDay,
              toDay: win.toDay,
            });
            break;
          } catch (e) {
            // Before the meter's activation: find its first day, and start the window there.
            if (beforeActivation(e) && k.kind === 'consumption' && activationDay === null) {
              activationDay = await findActivationDay(policy, {
                prm: device.prm,
                kind: k.kind,
                knownBefore: win.fromDay,
                endDay: lastDay,
              });
              if (activationDay < win.toDay) {
                win = { ...win, fromDay: activationDay };
                continue;
              }
            }
            if (beforeActivation(e)) {
              skipped = true;
              break;
            }
            throw e;
          }
        }
        if (skipped || !answer) break;
        readings = readings.concat(
          answer.readings.map((r) => ({
            buildingId: device.building_id,
            deviceRef: device.prm,
            deviceType: 'electricity_meter' as const,
            metricType: k.metric,
            timestamp: r.start,
            intervalSeconds: r.intervalSeconds,
            value: r.kwh,
            unit: 'kWh',
            source: `linky_${device.provider}`,
          })),
        );
      }
      const consumption = readings.filter((r) => r.metricType === 'electricity_consumption');
      const cov = coverageByDay(
        consumption.map((r) => ({
          start: r.timestamp,
          intervalSeconds: r.intervalSeconds,
          kwh: r.value,
        })),
        w,
        zone,
      );
      // The first day with data is where gaps start to count; an earlier --from can lower it.
      const firstDay = cov.find((c) => c.readings > 0);
      if (firstDay) {
        const d = localDayStart(firstDay.day, zone);
        if (!dataStart || d < dataStart) dataStart = d;
      }
      const startDay = dataStart ? localDayOf(dataStart, zone) : null;
      const gaps = cov
        .filter(
          (c) => startDay !== null && c.day >= startDay && c.coveredSeconds < c.expectedSeconds,
        )
        .map((c) => ({ day: c.day, expected: c.expectedSeconds, found: c.coveredSeconds }));
      const checked = cov.map((c) => c.day);
      const n = await env.db.transaction(async (tx) => {
        const count = readings.length ? await upsertReadings(tx, readings) : 0;
        await recordGaps(tx, device.id, checked, gaps);
        if (w.kind === 'range')
          await advanceCheckpoint(tx, device.id, localDayStart(w.toDay, zone), dataStart);
        return count;
      });
      if (readings.length > 0) anyData = true;
      written += n;
      env.progress?.tick(1);
      log.debug('window done', {
        from: w.fromDay,
        to: w.toDay,
        readings: readings.length,
        written: n,
        gaps: gaps.length,
      });
    }
    if (stats.rateLimited > 0) await setNotBefore(env.db, device.id, null);
    if (!anyData && windows.length > 0) status = 'no_data';
  } catch (e) {
    failure = e;
    // Stopped, or another process took the meter over: not the meter's fault.
    if (env.signal?.aborted || e instanceof LeaseLostError) status = 'interrupted';
    else if (isProviderCallError(e) && e.kind === 'consent_invalid') {
      status = 'failed';
      const expired =
        device.consent_expires_at && new Date(device.consent_expires_at).getTime() < now.getTime();
      deviceStatus = expired ? 'consent_expired' : 'consent_revoked';
      statusMessage = `${e.message}: link the meter again (koprogo-iot link --provider ${device.provider} --prm ${device.prm})`;
    } else {
      status = written > 0 ? 'partial' : 'failed';
      deviceStatus = 'error';
      statusMessage = (e as Error).message;
    }
  }
  const remainingGaps = (await pendingGaps(env.db, device.id, earliest)).length;
  const end: SyncRunEnd = {
    status,
    calls: stats.calls,
    readingsWritten: written,
    gaps: remainingGaps,
    errorClass: failure ? (status === 'interrupted' ? 'interrupted' : errorClass(failure)) : null,
    errorMessage: failure ? ((failure as Error).message ?? String(failure)) : null,
    durationMs: Date.now() - started,
  };
  await finishSyncRun(env.db, runId, end);
  await finishDeviceSync(
    env.db,
    device.id,
    status,
    status === 'interrupted' ? {} : { status: deviceStatus, message: statusMessage },
  );
  if (deviceStatus === 'consent_expired' || deviceStatus === 'consent_revoked')
    await env.onConsentLost?.(device, statusMessage ?? '');

  let anomalies = 0;
  if (anyData && env.afterDevice && status !== 'interrupted') {
    try {
      anomalies = await env.afterDevice(device);
    } catch (e) {
      log.warn('anomaly check failed', { err: (e as Error).message });
    }
  }
  const range = windows.length
    ? {
        start: localDayStart(windows[0]!.fromDay, zone).toISOString(),
        end: localDayStart(windows[windows.length - 1]!.toDay, zone).toISOString(),
      }
    : null;
  const result: DeviceSyncResult = {
    device_id: device.id,
    prm: device.prm,
    provider: device.provider,
    building: device.building_name,
    status,
    synced_readings: written,
    calls: stats.calls,
    windows: windows.length,
    gaps: remainingGaps,
    date_range: range,
    anomalies_detected: anomalies,
    last_sync_at: ['success', 'partial', 'no_data'].includes(status)
      ? new Date().toISOString()
      : device.last_sync_at
        ? new Date(device.last_sync_at).toISOString()
        : null,
  };
  if (failure)
    result.error = { class: end.errorClass ?? 'internal', message: end.errorMessage ?? '' };
  log.info(`sync ${status}`, {
    readings: written,
    calls: stats.calls,
    windows: windows.length,
    gaps: remainingGaps,
    ms: end.durationMs,
  });
  return result;
}
