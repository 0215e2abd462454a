/** What the sync left behind, as `status` shows it: gap days per meter, the latest runs. */
import type { Queryable } from './types.js';

/** Days still missing (sync_gaps) per device id. */
export async function gapDaysByDevice(q: Queryable): Promise<Map<string, number>> {
  const r = await q.query<{ device_id: string; n: number }>(
    `SELECT device_id, count(*)::int AS n FROM sync_gaps GROUP BY device_id`,
  );
  return new Map(r.rows.map((g) => [g.device_id, Number(g.n)]));
}

export interface SyncRunSummary {
  prm: string | null;
  started_at: Date;
  status: string;
  readings_written: number;
  calls: number;
  error_class: string | null;
  error_message: string | null;
}

/** The latest sync runs, newest first. */
export async function recentSyncRuns(q: Queryable, limit = 10): Promise<SyncRunSummary[]> {
  const r = await q.query<SyncRunSummary>(
    `SELECT prm, started_at, status, readings_written, calls, error_class, error_message
       FROM sync_runs ORDER BY started_at DESC LIMIT $1`,
    [limit],
  );
  return r.rows;
}
