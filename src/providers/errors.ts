/**
 * Provider call errors, classified for the sync engine:
 * - rate_limited: 429; wait retryAfterMs (from Retry-After or nextAccessTime), then retry.
 * - transient: 5xx, timeouts, connection resets; retry with backoff.
 * - token_expired: 401 on a per-device access token (ORES); refresh once, then retry.
 * - consent_invalid: 403 consent gone (ADAM-DC-0008), invalid_grant on refresh; re-link.
 * - no_data: 404 no_data_found; recorded, not an error.
 * - bad_request: 400 (range too long, before activation ADAM-ERR0123); do not retry.
 * - malformed: the answer could not be parsed; nothing from it is stored.
 */
import { ProviderError } from '../domain/errors.js';

export type ProviderErrorKind =
  | 'rate_limited'
  | 'transient'
  | 'token_expired'
  | 'consent_invalid'
  | 'no_data'
  | 'bad_request'
  | 'malformed';

export class ProviderCallError extends ProviderError {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  /** Provider error code, e.g. ADAM-DC-0008, invalid_grant, no_data_found. */
  readonly code?: string;
  /** For rate_limited: how long to wait, ms. */
  readonly retryAfterMs?: number;
  constructor(
    kind: ProviderErrorKind,
    message: string,
    extra: {
      status?: number;
      code?: string;
      retryAfterMs?: number;
      cause?: unknown;
      hint?: string;
    } = {},
  ) {
    super(message, { cause: extra.cause, hint: extra.hint });
    this.kind = kind;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.code !== undefined) this.code = extra.code;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
  }
}

export function isProviderCallError(e: unknown): e is ProviderCallError {
  return e instanceof ProviderCallError;
}
