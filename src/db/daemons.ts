/** Daemons announce themselves so `status` can show heartbeats, cycles and who is alive. */
import os from 'node:os';
import type { Queryable } from './types.js';

export interface DaemonRow {
  id: string;
  hostname: string;
  pid: number;
  started_at: Date;
  heartbeat_at: Date;
  last_cycle_started_at: Date | null;
  last_cycle_finished_at: Date | null;
  last_cycle_status: string | null;
  next_cycle_at: Date | null;
  stopped_at: Date | null;
}

export async function registerDaemon(q: Queryable, id: string): Promise<void> {
  await q.query(
    `INSERT INTO daemons (id, hostname, pid) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL`,
    [id, os.hostname(), process.pid],
  );
}

export async function heartbeat(
  q: Queryable,
  id: string,
  fields: { nextCycleAt?: Date | null } = {},
): Promise<void> {
  await q.query(
    `UPDATE daemons SET heartbeat_at = now(), next_cycle_at = COALESCE($2, next_cycle_at) WHERE id = $1`,
    [id, fields.nextCycleAt ? fields.nextCycleAt.toISOString() : null],
  );
}

export async function cycleStarted(q: Queryable, id: string): Promise<void> {
  await q.query(
    `UPDATE daemons SET last_cycle_started_at = now(), heartbeat_at = now() WHERE id = $1`,
    [id],
  );
}

export async function cycleFinished(
  q: Queryable,
  id: string,
  status: string,
  next: Date | null,
): Promise<void> {
  await q.query(
    `UPDATE daemons SET last_cycle_finished_at = now(), last_cycle_status = $2, next_cycle_at = $3, heartbeat_at = now() WHERE id = $1`,
    [id, status, next ? next.toISOString() : null],
  );
}

export async function daemonStopped(q: Queryable, id: string): Promise<void> {
  await q.query(`UPDATE daemons SET stopped_at = now(), next_cycle_at = NULL WHERE id = $1`, [id]);
}

/** Daemons seen in the last week, newest first. */
export async function listDaemons(q: Queryable): Promise<DaemonRow[]> {
  const r = await q.query<DaemonRow>(
    `SELECT * FROM daemons WHERE heartbeat_at > now() - interval '7 days' ORDER BY heartbeat_at DESC`,
  );
  return r.rows;
}
