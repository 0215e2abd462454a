/** The linked meters, and the state of their sync and of alert delivery. */
import { resolveBuilding } from '../db/buildings.js';
import { listDaemons, type DaemonRow } from '../db/daemons.js';
import { listDevices, type DeviceWithBuilding } from '../db/devices.js';
import { gapDaysByDevice, recentSyncRuns, type SyncRunSummary } from '../db/syncHistory.js';
import { outboxStatus, type OutboxStatus } from '../notify/outbox.js';
import type { BuildingRef, ServiceDeps } from './deps.js';

export type { DeviceWithBuilding as Meter };

/** A daemon whose heartbeat is older than this is reported as gone. */
const STALE_MS = 3 * 60_000;

/** The linked meters, of one building when one is named, else of all. */
export async function listMeters(
  deps: Pick<ServiceDeps, 'db'>,
  building?: BuildingRef,
): Promise<DeviceWithBuilding[]> {
  if (!building) return listDevices(deps.db);
  const b = await resolveBuilding(deps.db, building);
  return listDevices(deps.db, { buildingId: b.id });
}

export interface MeterSyncState extends Pick<
  DeviceWithBuilding,
  | 'prm'
  | 'provider'
  | 'building_name'
  | 'status'
  | 'status_message'
  | 'last_sync_at'
  | 'last_sync_status'
  | 'consent_expires_at'
  | 'not_before'
  | 'checkpoint_at'
  | 'building_timezone'
> {
  gaps: number;
  failing: boolean;
}

export interface SyncStatus {
  daemons: (DaemonRow & { alive: boolean })[];
  devices: MeterSyncState[];
  outbox: OutboxStatus;
  recent_runs: SyncRunSummary[];
  /** Where the data was read (a data directory or a server): what a daemon must be given. */
  database: string;
  /** The zone of the daemon's daily schedule, which its cycle times are shown in. */
  schedule_zone: string;
}

/** Daemons (alive or not), meters (sync state, failures, gap days), alert delivery. */
export async function syncStatus(
  deps: Pick<ServiceDeps, 'db' | 'now' | 'config'>,
): Promise<SyncStatus> {
  const now = deps.now().getTime();
  const daemons = (await listDaemons(deps.db)).map((d) => ({
    ...d,
    alive: !d.stopped_at && now - new Date(d.heartbeat_at).getTime() < STALE_MS,
  }));
  const gapDays = await gapDaysByDevice(deps.db);
  const devices = (await listDevices(deps.db)).map((d) => ({
    prm: d.prm,
    provider: d.provider,
    building_name: d.building_name,
    building_timezone: d.building_timezone,
    status: d.status,
    status_message: d.status_message,
    last_sync_at: d.last_sync_at,
    last_sync_status: d.last_sync_status,
    consent_expires_at: d.consent_expires_at,
    not_before: d.not_before,
    checkpoint_at: d.checkpoint_at,
    gaps: gapDays.get(d.id) ?? 0,
    failing: d.status !== 'active' || ['failed', 'partial'].includes(d.last_sync_status ?? ''),
  }));
  return {
    daemons,
    devices,
    outbox: await outboxStatus(deps.db),
    recent_runs: await recentSyncRuns(deps.db),
    database: deps.db.location,
    schedule_zone: deps.config.sync.schedule.timeZone,
  };
}
