/**
 * The hourly provider quota shared by every process on one database. Each call is counted
 * in its clock hour; past the limit, the caller is told when the next hour starts. The
 * in-process limiter still spaces calls within the second and the sliding hour.
 */
import type { Queryable } from './types.js';

export interface QuotaAnswer {
  allowed: boolean;
  /** Calls counted this hour, this one included. */
  calls: number;
  /** When the next hour starts (the earliest retry when not allowed). */
  nextHour: Date;
}

export async function takeHourlyCall(
  q: Queryable,
  provider: string,
  perHour: number,
): Promise<QuotaAnswer> {
  const r = await q.query<{ calls: number; hour: Date }>(
    `INSERT INTO provider_calls (provider, hour, calls) VALUES ($1, date_trunc('hour', now()), 1)
     ON CONFLICT (provider, hour) DO UPDATE SET calls = provider_calls.calls + 1
     RETURNING calls, hour`,
    [provider],
  );
  const row = r.rows[0];
  const calls = Number(row?.calls ?? 1);
  const hour = row ? new Date(row.hour) : new Date();
  return { allowed: calls <= perHour, calls, nextHour: new Date(hour.getTime() + 3_600_000) };
}

/** Forgets hours older than two days (the daemon's maintenance). */
export async function pruneProviderCalls(q: Queryable): Promise<void> {
  await q.query(`DELETE FROM provider_calls WHERE hour < now() - interval '2 days'`);
}
