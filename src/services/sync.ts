/**
 * Sync now: the linked meters (all, one building's or one meter), each checked for
 * anomalies after its sync, then the alerts queued so far delivered.
 */
import { localDayOf } from '../analytics/periods.js';
import { resolveBuilding } from '../db/buildings.js';
import { requireDevice } from '../db/devices.js';
import { metersHeldByOthers, type HeldMeter } from '../db/leaseHolders.js';
import {
  PartialFailureError,
  ProviderError,
  UsageError,
  type UserError,
} from '../domain/errors.js';
import { deliverPending } from '../notify/outbox.js';
import { anomalyHook, consentLostHook } from '../sync/hooks.js';
import { checkEncryptionKey } from '../sync/keyCheck.js';
import type { DeviceSyncResult } from '../sync/syncDevice.js';
import { createSyncEnv, type SyncProgress } from '../sync/syncEnv.js';
import { syncDevices } from '../sync/syncDevices.js';
import type { Env, ServiceDeps } from './deps.js';
import type { DateArgs } from './periodRange.js';

export type { DeviceSyncResult, HeldMeter, SyncProgress };

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
  /** Meters of the selection another process was syncing: this run left them to it. */
  heldElsewhere: HeldMeter[];
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
  const heldElsewhere = await metersHeldByOthers(db, env.owner, filter);
  const delivered = await deliverPending(db, config, { log });
  return {
    devices,
    heldElsewhere,
    notifications: { sent: delivered.sent, retrying: delivered.retrying, failed: delivered.failed },
  };
}

/** "3 meters held by daemon:host:42:ab12 until 2026-12-01T22:10:00.000Z; …" */
function holders(held: HeldMeter[]): string {
  const byOwner = new Map<string, HeldMeter[]>();
  for (const h of held) byOwner.set(h.owner, [...(byOwner.get(h.owner) ?? []), h]);
  return [...byOwner]
    .map(([owner, hs]) => {
      const until = hs.map((h) => h.until).reduce((a, b) => (a > b ? a : b));
      const what =
        hs.length === 1 ? `meter ${hs.map((h) => h.prm).join('')}` : `${hs.length} meters`;
      return `${what} held by ${owner} until ${until}`;
    })
    .join('; ');
}

/**
 * What a sync's exit says. Nothing reached (every meter failed without writing a reading)
 * is a provider error (exit 6). A meter that wrote part of its readings, failed beside
 * others that synced, or was left to another process holding its lease makes the run
 * partial (exit 7): those meters are synced by the next run or by their holder.
 */
export function syncFailure(out: Pick<SyncOutcome, 'devices' | 'heldElsewhere'>): UserError | null {
  const rows = out.devices;
  const bad = rows.filter((r) => !['success', 'no_data'].includes(r.status));
  const held = out.heldElsewhere;
  const someWritten = rows.some((r) => r.status === 'partial' || r.synced_readings > 0);
  if (bad.length > 0 && bad.length === rows.length && !someWritten && held.length === 0)
    return new ProviderError(
      `no meter synced: ${bad.map((r) => `${r.prm} ${r.error?.message ?? r.status}`).join('; ')}`,
    );
  if (bad.length === 0 && held.length === 0) return null;
  const parts: string[] = [];
  if (bad.length > 0) parts.push(`${bad.length} of ${rows.length} meters did not sync completely`);
  if (held.length > 0)
    parts.push(
      `another process is syncing ${held.length === 1 ? 'one meter' : `${held.length} meters`} (${holders(held)})`,
    );
  return new PartialFailureError(parts.join('; '), {
    hint:
      held.length > 0 && bad.length === 0
        ? 'their holder finishes them; `koprogo-iot status` shows their last sync'
        : 'see `koprogo-iot status`; they are tried again on the next run',
  });
}
