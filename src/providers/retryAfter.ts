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
