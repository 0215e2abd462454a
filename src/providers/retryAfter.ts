/**
 * How long a 429 asks us to wait. The `Retry-After` header (seconds or an HTTP date) wins
 * over Enedis's `nextAccessTime` body field when both are present.
 */

/** Retry-After: delta-seconds or an HTTP date. Returns ms (≥ 0) or undefined when absent/unreadable. */
export function parseRetryAfterHeader(
  value: string | null | undefined,
  now: Date,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // An HTTP date always names a weekday or month; this avoids Date.parse guessing at junk.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** nextAccessTime: an ISO 8601 instant with offset. Returns ms (≥ 0) or undefined. */
export function parseNextAccessTime(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  // Only accept full date-times with an explicit offset: a local time would be a guess.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim())) {
    return undefined;
  }
  const at = Date.parse(value.trim());
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** After a per-second quota answer: the second's window has freed by then. */
export const PER_SECOND_QUOTA_WAIT_MS = 1_100;
/** Past the hour's start, so a provider counting by clock hour has surely moved on. */
export const HOURLY_QUOTA_GUARD_MS = 5_000;

/**
 * The quota a 429 body names when it carries no time to wait for. Enedis documents
 * "Quota Q3 reached" (5 calls per second), "Quota Q4 reached" (calls per hour) and
 * "SLA dépassé" (the hourly service level), with neither Retry-After nor nextAccessTime:
 * per second → wait a little over a second; hourly → wait until the next clock hour starts.
 */
export function readQuotaBody(
  text: string,
  now: Date,
): { scope: 'second' | 'hour'; waitMs: number } | undefined {
  if (/quota\s*q3/i.test(text)) return { scope: 'second', waitMs: PER_SECOND_QUOTA_WAIT_MS };
  // "dépassé" may arrive decomposed (e + combining accent) or mis-decoded: match loosely.
  if (/quota\s*q4/i.test(text) || /sla\s+d\S*pass/i.test(text)) {
    const t = now.getTime();
    const nextHour = Math.floor(t / 3_600_000) * 3_600_000 + 3_600_000;
    return { scope: 'hour', waitMs: nextHour - t + HOURLY_QUOTA_GUARD_MS };
  }
  return undefined;
}
