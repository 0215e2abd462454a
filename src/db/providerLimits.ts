/**
 * Provider limits shared through the database by every process calling with one
 * application's credentials: the per-second call slot and the waits a provider asked for.
 * Both run on the database server's clock, so processes with drifting clocks still agree.
 */
import type { Database, Queryable } from './types.js';

export interface CallSlot {
  /** Set when a place was taken: mark the call answered with it. */
  id: number | null;
  /** When no place was free: how long until one frees, ms. */
  waitMs: number;
}

export interface SlotLimit {
  /** Calls allowed within the window. */
  calls: number;
  windowMs: number;
  /** How long a call in flight holds its place at most (a process that died frees it then). */
  holdMs: number;
}

/**
 * Takes a place among the calls of a limiter key's window, or says how long until one frees.
 * Under the key's row lock, so two processes never take the last place together.
 */
export async function takeCallSlot(db: Database, key: string, limit: SlotLimit): Promise<CallSlot> {
  return db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO provider_slots (limiter_key) VALUES ($1) ON CONFLICT (limiter_key) DO NOTHING`,
      [key],
    );
    await tx.query(`SELECT 1 FROM provider_slots WHERE limiter_key = $1 FOR UPDATE`, [key]);
    await tx.query(
      `DELETE FROM provider_call_times
        WHERE limiter_key = $1 AND at < clock_timestamp() - $2 * interval '1 millisecond'`,
      [key, limit.windowMs],
    );
    const recent = await tx.query<{ wait_ms: number | string }>(
      `SELECT extract(epoch FROM (at + $2 * interval '1 millisecond' - clock_timestamp())) * 1000 AS wait_ms
         FROM provider_call_times
        WHERE limiter_key = $1 AND at > clock_timestamp() - $2 * interval '1 millisecond'
        ORDER BY at DESC LIMIT $3`,
      [key, limit.windowMs, limit.calls],
    );
    if (recent.rows.length >= limit.calls) {
      // The oldest of the newest `calls` must leave the window first.
      const oldest = recent.rows[recent.rows.length - 1];
      return { id: null, waitMs: Math.max(1, Math.ceil(Number(oldest?.wait_ms ?? 1))) };
    }
    const r = await tx.query<{ id: string | number }>(
      `INSERT INTO provider_call_times (limiter_key, at)
       VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond') RETURNING id`,
      [key, limit.holdMs],
    );
    return { id: Number(r.rows[0]?.id), waitMs: 0 };
  });
}

/** The call has its answer: it counts in the window from now. */
export async function releaseCallSlot(q: Queryable, id: number): Promise<void> {
  await q.query(`UPDATE provider_call_times SET at = clock_timestamp() WHERE id = $1`, [id]);
}

/** Records a wait the provider asked for; a later wait already recorded is kept. */
export async function pauseProvider(
  q: Queryable,
  provider: string,
  waitMs: number,
  why: { api?: string; reason: string },
): Promise<void> {
  await q.query(
    `INSERT INTO provider_pauses (provider, not_before, api, reason, updated_at)
       VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond', $3, $4, now())
     ON CONFLICT (provider) DO UPDATE
       SET not_before = greatest(provider_pauses.not_before, EXCLUDED.not_before),
           api = CASE WHEN EXCLUDED.not_before > provider_pauses.not_before
                      THEN EXCLUDED.api ELSE provider_pauses.api END,
           reason = CASE WHEN EXCLUDED.not_before > provider_pauses.not_before
                         THEN EXCLUDED.reason ELSE provider_pauses.reason END,
           updated_at = now()`,
    [provider, Math.max(0, Math.round(waitMs)), why.api ?? null, why.reason],
  );
}

export interface ProviderPause {
  /** ms from now until calls may go again. */
  waitMs: number;
  until: Date;
  api: string | null;
  reason: string | null;
}

/** The wait still running for a provider, or null when calls may go. */
export async function providerPause(q: Queryable, provider: string): Promise<ProviderPause | null> {
  const r = await q.query<{
    wait_ms: number | string;
    not_before: Date | string;
    api: string | null;
    reason: string | null;
  }>(
    `SELECT extract(epoch FROM (not_before - clock_timestamp())) * 1000 AS wait_ms,
            not_before, api, reason
       FROM provider_pauses WHERE provider = $1 AND not_before > clock_timestamp()`,
    [provider],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    waitMs: Math.ceil(Number(row.wait_ms)),
    until: new Date(row.not_before),
    api: row.api,
    reason: row.reason,
  };
}
