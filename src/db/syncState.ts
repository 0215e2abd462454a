/**
 * What the sync engine keeps in the database: leases (which process syncs a device now),
 * checkpoints, gaps, the persisted "not before" of a rate limit, and the sync_runs audit trail.
 * Leases use FOR UPDATE SKIP LOCKED so several daemons on one server never take the same
 * device, and a crashed daemon's lease expires so another takes its devices over.
 */
import type { Device } from './devices.js';
import type { Queryable } from './types.js';

const DEVICE_COLUMNS = `d.id, d.building_id, d.prm, d.provider, d.device_type,
  (d.api_key_encrypted IS NOT NULL OR d.refresh_token_encrypted IS NOT NULL) AS has_tokens,
  d.token_key_id, d.token_expires_at, d.authorization_id, d.consent_expires_at, d.sync_enabled,
  d.sync_frequency_hours, d.status, d.status_message, d.checkpoint_at, d.data_start_at,
  d.last_sync_at, d.last_sync_status, d.not_before, d.created_at, d.updated_at`;

export interface SyncDevice extends Device {
  building_name: string;
  building_timezone: string;
}

export interface ClaimFilter {
  /** Only these devices (ids). */
  deviceIds?: string[];
  buildingId?: string;
  /** Only devices due by their sync_frequency_hours (daemon); false = any (manual sync). */
  dueOnly: boolean;
  /** Ids already handled in this cycle. */
  exclude?: string[];
  /**
   * Between daily cycles: only devices synced more often than daily, waiting out a 429, or
   * whose lease expired (a process died syncing it: its turn is taken over at once, daily
   * meters included, instead of at the next daily cycle).
   */
  frequentOrWaiting?: boolean;
  /** Only devices not synced since this instant (the current slot of an interval schedule). */
  notSyncedSince?: Date;
}

/**
 * Takes the lease of one device that is free (no live lease), active, and not held back by
 * a rate limit. Returns null when none is left.
 */
export async function claimNextDevice(
  q: Queryable,
  owner: string,
  leaseSeconds: number,
  f: ClaimFilter,
): Promise<SyncDevice | null> {
  const params: unknown[] = [owner, `${leaseSeconds} seconds`];
  const cond: string[] = [
    `d.sync_enabled`,
    `d.status IN ('active', 'error')`,
    `(d.lease_expires_at IS NULL OR d.lease_expires_at < now())`,
    `(d.not_before IS NULL OR d.not_before <= now())`,
  ];
  if (f.deviceIds) {
    params.push(f.deviceIds);
    cond.push(`d.id = ANY($${params.length}::uuid[])`);
  }
  if (f.buildingId) {
    params.push(f.buildingId);
    cond.push(`d.building_id = $${params.length}`);
  }
  if (f.exclude && f.exclude.length > 0) {
    params.push(f.exclude);
    cond.push(`NOT (d.id = ANY($${params.length}::uuid[]))`);
  }
  if (f.dueOnly) {
    // A little slack so a device synced at 02:03 yesterday is due at 02:00 today.
    cond.push(
      `(d.last_sync_at IS NULL OR d.last_sync_at <= now() - make_interval(hours => d.sync_frequency_hours) + interval '30 minutes')`,
    );
  }
  if (f.notSyncedSince) {
    params.push(f.notSyncedSince.toISOString());
    cond.push(`(d.last_sync_at IS NULL OR d.last_sync_at < $${params.length}::timestamptz)`);
  }
  if (f.frequentOrWaiting)
    cond.push(
      `(d.sync_frequency_hours < 24 OR d.not_before IS NOT NULL OR d.lease_owner IS NOT NULL)`,
    );
  const r = await q.query<SyncDevice>(
    `WITH next AS (
       SELECT d.id FROM linky_devices d
        WHERE ${cond.join(' AND ')}
        ORDER BY d.last_sync_at NULLS FIRST, d.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
     UPDATE linky_devices d
        SET lease_owner = $1, lease_expires_at = now() + $2::interval
       FROM next, buildings b
      WHERE d.id = next.id AND b.id = d.building_id
     RETURNING ${DEVICE_COLUMNS}, b.name AS building_name, b.timezone AS building_timezone`,
    params,
  );
  return r.rows[0] ?? null;
}

/** Extends a lease during a long backfill; false when it was lost (expired and taken). */
export async function renewLease(
  q: Queryable,
  deviceId: string,
  owner: string,
  leaseSeconds: number,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE linky_devices SET lease_expires_at = now() + $3::interval
      WHERE id = $1 AND lease_owner = $2`,
    [deviceId, owner, `${leaseSeconds} seconds`],
  );
  return r.rowCount > 0;
}

export async function releaseLease(q: Queryable, deviceId: string, owner: string): Promise<void> {
  await q.query(
    `UPDATE linky_devices SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`,
    [deviceId, owner],
  );
}

/**
 * Ends every lease of an owner that stops (or died) in the middle of its turns. The owner
 * stays recorded with a lease already expired: that marks the meter's turn as cut short,
 * so the next poll of any process takes it, daily meters included (a finished turn clears
 * the owner through releaseLease).
 */
export async function releaseAllLeases(q: Queryable, owner: string): Promise<void> {
  await q.query(
    `UPDATE linky_devices SET lease_expires_at = now() - interval '1 second'
      WHERE lease_owner = $1 AND lease_expires_at >= now()`,
    [owner],
  );
}

/**
 * Closes as `interrupted` the runs still `running` whose owner no longer holds the
 * meter's lease: a live owner renews its lease for as long as its run lasts, so such a
 * run belongs to a process that died (kill -9, power cut). Returns how many were closed.
 */
export async function closeAbandonedRuns(q: Queryable): Promise<number> {
  const r = await q.query(
    `UPDATE sync_runs r
        SET status = 'interrupted', finished_at = now(), error_class = 'interrupted',
            error_message = 'the process syncing this meter stopped before the end'
      WHERE r.status = 'running'
        AND NOT EXISTS (
          SELECT 1 FROM linky_devices d
           WHERE d.id = r.device_id AND d.lease_owner = r.daemon_id AND d.lease_expires_at >= now())`,
  );
  return r.rowCount;
}

/** Owners holding a lease that has not expired yet. */
export async function liveLeaseOwners(q: Queryable): Promise<string[]> {
  const r = await q.query<{ lease_owner: string }>(
    `SELECT DISTINCT lease_owner FROM linky_devices WHERE lease_owner IS NOT NULL AND lease_expires_at >= now()`,
  );
  return r.rows.map((x) => x.lease_owner);
}

/** Moves the checkpoint forward (never back) — called in the transaction of the readings. */
export async function advanceCheckpoint(
  q: Queryable,
  deviceId: string,
  to: Date,
  dataStart: Date | null,
): Promise<void> {
  await q.query(
    `UPDATE linky_devices
        SET checkpoint_at = GREATEST(COALESCE(checkpoint_at, $2), $2),
            data_start_at = CASE WHEN $3::timestamptz IS NULL THEN data_start_at
                                 ELSE LEAST(COALESCE(data_start_at, $3), $3) END,
            updated_at = now()
      WHERE id = $1`,
    [deviceId, to.toISOString(), dataStart ? dataStart.toISOString() : null],
  );
}

export async function setNotBefore(
  q: Queryable,
  deviceId: string,
  when: Date | null,
): Promise<void> {
  await q.query(`UPDATE linky_devices SET not_before = $2 WHERE id = $1`, [
    deviceId,
    when ? when.toISOString() : null,
  ]);
}

export async function finishDeviceSync(
  q: Queryable,
  deviceId: string,
  status: string,
  device: {
    status?: 'active' | 'consent_expired' | 'consent_revoked' | 'error';
    message?: string | null;
  },
): Promise<void> {
  await q.query(
    `UPDATE linky_devices
        SET last_sync_at = CASE WHEN $2 IN ('success', 'partial', 'no_data') THEN now() ELSE last_sync_at END,
            last_sync_status = $2,
            status = COALESCE($3, status),
            status_message = $4,
            updated_at = now()
      WHERE id = $1`,
    [deviceId, status, device.status ?? null, device.message ?? null],
  );
}

/** Records the days of a window found incomplete, and forgets those now complete. */
export async function recordGaps(
  q: Queryable,
  deviceId: string,
  checkedDays: string[],
  gaps: { day: string; expected: number; found: number }[],
): Promise<void> {
  if (checkedDays.length > 0) {
    const full = checkedDays.filter((d) => !gaps.some((g) => g.day === d));
    if (full.length > 0)
      await q.query(`DELETE FROM sync_gaps WHERE device_id = $1 AND day = ANY($2::date[])`, [
        deviceId,
        full,
      ]);
  }
  if (gaps.length === 0) return;
  await q.query(
    `INSERT INTO sync_gaps (device_id, day, expected, found)
     SELECT $1, u.day, u.expected, u.found FROM unnest($2::date[], $3::int[], $4::int[]) AS u(day, expected, found)
     ON CONFLICT (device_id, day) DO UPDATE SET expected = EXCLUDED.expected, found = EXCLUDED.found, last_tried_at = now()`,
    [deviceId, gaps.map((g) => g.day), gaps.map((g) => g.expected), gaps.map((g) => g.found)],
  );
}

/** Gap days still worth asking for (inside the provider's history), oldest first. */
export async function pendingGaps(
  q: Queryable,
  deviceId: string,
  notBeforeDay: string,
): Promise<string[]> {
  const r = await q.query<{ day: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM sync_gaps WHERE device_id = $1 AND day >= $2::date ORDER BY day`,
    [deviceId, notBeforeDay],
  );
  return r.rows.map((x) => x.day);
}

export async function dropGapsBefore(q: Queryable, deviceId: string, day: string): Promise<void> {
  await q.query(`DELETE FROM sync_gaps WHERE device_id = $1 AND day < $2::date`, [deviceId, day]);
}

export interface SyncRunRow {
  device_id: string;
  prm: string;
  daemon_id: string | null;
  window_start: Date | null;
  window_end: Date | null;
}

export async function startSyncRun(q: Queryable, r: SyncRunRow): Promise<number> {
  // The caller holds the device's lease, so a run of this device still 'running' belongs to
  // a process that died (kill -9, power cut): close it instead of leaving it running forever.
  await q.query(
    `UPDATE sync_runs SET status = 'interrupted', finished_at = now(), error_class = 'interrupted',
            error_message = 'the process syncing this meter stopped before the end'
      WHERE device_id = $1 AND status = 'running'`,
    [r.device_id],
  );
  const res = await q.query<{ id: number }>(
    `INSERT INTO sync_runs (device_id, prm, daemon_id, window_start, window_end) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [
      r.device_id,
      r.prm,
      r.daemon_id,
      r.window_start?.toISOString() ?? null,
      r.window_end?.toISOString() ?? null,
    ],
  );
  return Number(res.rows[0]?.id);
}

export interface SyncRunEnd {
  status: 'success' | 'partial' | 'failed' | 'no_data' | 'interrupted';
  calls: number;
  readingsWritten: number;
  gaps: number;
  errorClass?: string | null;
  errorMessage?: string | null;
  durationMs: number;
}

export async function finishSyncRun(q: Queryable, id: number, e: SyncRunEnd): Promise<void> {
  await q.query(
    `UPDATE sync_runs SET finished_at = now(), status = $2, calls = $3, readings_written = $4, gaps = $5,
            error_class = $6, error_message = $7, duration_ms = $8
      WHERE id = $1`,
    [
      id,
      e.status,
      e.calls,
      e.readingsWritten,
      e.gaps,
      e.errorClass ?? null,
      e.errorMessage ?? null,
      Math.round(e.durationMs),
    ],
  );
}
