/** The linked meters, and the state of their sync and of alert delivery. */
import { resolveBuilding } from '../db/buildings.js';
import { listDaemons, type DaemonRow } from '../db/daemons.js';
import { listDevices, type DeviceWithBuilding } from '../db/devices.js';
import { gapDaysByDevice, recentSyncRuns, type SyncRunSummary } from '../db/syncHistory.js';
import { countP1Events, recentP1Events, type P1EventRow } from '../db/p1Batches.js';
import { listP1Meters, type P1MeterRow } from '../db/p1Meters.js';
import { outboxStatus, type OutboxStatus } from '../notify/outbox.js';
import type { BuildingRef, ServiceDeps } from './deps.js';
import { onboardingByDevice, type MeterOnboarding } from './onboardingStatus.js';

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
  /** Enedis onboarding of a newly linked meter: stages and time to complete; null when none. */
  onboarding: MeterOnboarding | null;
}

/** A P1 meter as `status` shows it: what it last said, what was dropped, its silences. */
export interface P1MeterState {
  prm: string;
  building_name: string;
  /** Where its telegrams come from, without any credential. */
  via: string;
  last_telegram_at: Date | null;
  last_arrival_at: Date | null;
  telegrams_accepted: number;
  telegrams_rejected: Record<string, number>;
  /** Set while the meter is silent. */
  quiet_since: Date | null;
  gaps: number;
  quiet_periods: number;
  register_resets: number;
  clock_suspect: number;
  recent_events: P1EventRow[];
}

export interface SyncStatus {
  daemons: (DaemonRow & { alive: boolean })[];
  devices: MeterSyncState[];
  p1_meters: P1MeterState[];
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
  const onboarding = await onboardingByDevice(
    deps.db,
    deps.config?.providers.enedis.rateLimit ?? {},
  );
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
    onboarding: onboarding.get(d.id) ?? null,
    failing: d.status !== 'active' || ['failed', 'partial'].includes(d.last_sync_status ?? ''),
  }));
  return {
    daemons,
    devices,
    p1_meters: await p1MeterStates(deps),
    outbox: await outboxStatus(deps.db),
    recent_runs: await recentSyncRuns(deps.db),
    database: deps.db.location,
    schedule_zone: deps.config.sync.schedule.timeZone,
  };
}

function p1Via(m: P1MeterRow): string {
  if (m.transport === 'mqtt') return `mqtt ${m.url ?? ''} ${m.topic ?? ''}`;
  if (m.transport === 'tcp') return `tcp ${m.host ?? ''}:${m.port ?? ''}`;
  return `serial ${m.path ?? ''}`;
}

/** Every P1 meter's telegram counters and interruptions. */
export async function p1MeterStates(deps: Pick<ServiceDeps, 'db'>): Promise<P1MeterState[]> {
  const out: P1MeterState[] = [];
  for (const m of await listP1Meters(deps.db)) {
    const counts = await countP1Events(deps.db, m.device_id);
    out.push({
      prm: m.prm,
      building_name: m.building_name,
      via: p1Via(m),
      last_telegram_at: m.last_telegram_at,
      last_arrival_at: m.last_arrival_at,
      telegrams_accepted: m.telegrams_accepted,
      telegrams_rejected: m.telegrams_rejected,
      quiet_since: m.quiet_since,
      gaps: counts.gap ?? 0,
      quiet_periods: counts.quiet ?? 0,
      register_resets: counts.register_reset ?? 0,
      clock_suspect: counts.clock_suspect ?? 0,
      recent_events: await recentP1Events(deps.db, m.device_id, 3),
    });
  }
  return out;
}
