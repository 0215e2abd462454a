/**
 * Sync now: the linked meters (all, one building's or one meter), each checked for
 * anomalies after its sync, then the alerts queued so far delivered.
 */
import { localDayOf } from '../analytics/periods.js';
import { resolveBuilding } from '../db/buildings.js';
import { requireDevice } from '../db/devices.js';
import { UsageError } from '../domain/errors.js';
import { deliverPending } from '../notify/outbox.js';
import { anomalyHook, consentLostHook } from '../sync/hooks.js';
import { checkEncryptionKey } from '../sync/keyCheck.js';
import type { DeviceSyncResult } from '../sync/syncDevice.js';
import { createSyncEnv, type SyncProgress } from '../sync/syncEnv.js';
import { syncDevices } from '../sync/syncDevices.js';
import type { Env, ServiceDeps } from './deps.js';
import type { DateArgs } from './periodRange.js';

export type { DeviceSyncResult, SyncProgress };

export interface SyncQuery {
  building?: string;
  device?: string;
  dates?: DateArgs;
}

export interface SyncRun {
  env: Env;
  signal?: AbortSignal;
  progress?: SyncProgress;
  /** Tests: the HTTP client and the shortest backoff. */
  fetch?: typeof fetch;
  minBackoffMs?: number;
}

export interface SyncOutcome {
  devices: DeviceSyncResult[];
  notifications: { sent: number; retrying: number; failed: number };
}

interface Selection {
  filter: { deviceIds?: string[]; buildingId?: string; dueOnly: boolean };
  zone: string;
}

async function selectMeters(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  q: SyncQuery,
): Promise<Selection> {
  const { db, config } = deps;
  if (q.device) {
    const d = await requireDevice(db, q.device);
    return { filter: { deviceIds: [d.id], dueOnly: false }, zone: d.building_timezone };
  }
  if (q.building || config.defaults.building) {
    const b = await resolveBuilding(db, q.building, config.defaults.building);
    return { filter: { buildingId: b.id, dueOnly: false }, zone: b.timezone };
  }
  return { filter: { dueOnly: false }, zone: config.defaults.timeZone };
}

/** Checked before the database opens. */
export function checkSyncQuery(query: SyncQuery): void {
  if (query.building && query.device) throw new UsageError('give --building or --device, not both');
}

export async function syncMeters(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'log'>,
  query: SyncQuery,
  run: SyncRun,
): Promise<SyncOutcome> {
  checkSyncQuery(query);
  const { db, config, log } = deps;
  const { filter, zone } = await selectMeters(deps, query);
  // Command-line days are the building's; provider windows are in the provider's zone
  // (Europe/Paris and Europe/Brussels share their offsets).
  const dates = query.dates?.(zone) ?? {};
  await checkEncryptionKey(db, run.env, config.encryptionKey, filter);
  const env = createSyncEnv({
    db,
    config,
    log,
    env: run.env,
    signal: run.signal,
    fetch: run.fetch,
    minBackoffMs: run.minBackoffMs,
    progress: run.progress,
    afterDevice: anomalyHook(db, config, log),
    onConsentLost: consentLostHook(log),
  });
  const devices = await syncDevices(env, filter, {
    fromDay: dates.from ? localDayOf(dates.from, zone) : undefined,
    toDay: dates.to ? localDayOf(dates.to, zone) : undefined,
  });
  const delivered = await deliverPending(db, config, { log });
  return {
    devices,
    notifications: { sent: delivered.sent, retrying: delivered.retrying, failed: delivered.failed },
  };
}
