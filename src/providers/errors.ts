/**
 * Provider call errors, classified for the sync engine:
 * - rate_limited: 429; wait retryAfterMs (from Retry-After or nextAccessTime), then retry.
 * - transient: 5xx, timeouts, connection resets; retry with backoff.
 * - token_expired: 401 on a per-device access token (ORES); refresh once, then retry.
 * - consent_invalid: 403 consent gone (ADAM-DC-0008), invalid_grant on refresh; re-link.
 * - api_not_subscribed: 403 900908, the application is not subscribed to this API at the
 *   provider (Enedis DataHub); re-linking cannot help, the application's owner must subscribe.
 * - before_consent_start: 403 ADAM-DC-0009, the window starts before the consent's start;
 *   clamp the window to the consent's start and ask again.
 * - no_data: 404 no_data_found; recorded, not an error.
 * - bad_request: 400 (range too long, before activation ADAM-ERR0123); do not retry.
 * - malformed: the answer could not be parsed; nothing from it is stored.
 */
import { EXIT, ProviderError } from '../domain/errors.js';

/** Which quota a 429 named: per second (wait a moment) or hourly (wait for the hour to free). */
export type QuotaScope = 'second' | 'hour';

export type ProviderErrorKind =
  | 'rate_limited'
  | 'transient'
  | 'token_expired'
  | 'consent_invalid'
  | 'api_not_subscribed'
  | 'before_consent_start'
  | 'no_data'
  | 'bad_request'
  | 'malformed';

/**
 * The exit code of a call error that ends a command: a consent gone is the user's to renew
 * (link again), an API not subscribed is the application's configuration at the provider.
 */
const EXIT_BY_KIND: Partial<Record<ProviderErrorKind, number>> = {
  consent_invalid: EXIT.AUTH,
  api_not_subscribed: EXIT.CONFIG,
};

export class ProviderCallError extends ProviderError {
  override readonly exitCode: number;
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  /** Provider error code, e.g. ADAM-DC-0008, invalid_grant, no_data_found. */
  readonly code?: string;
  /** For rate_limited: how long to wait, ms. */
  readonly retryAfterMs?: number;
  /** For rate_limited: which quota the answer named (per second or hourly), when it did. */
  readonly quota?: QuotaScope;
  /** The API called (the last part of its path), for messages that name it. */
  readonly api?: string;
  constructor(
    kind: ProviderErrorKind,
    message: string,
    extra: {
      status?: number;
      code?: string;
      retryAfterMs?: number;
      quota?: QuotaScope;
      api?: string;
      cause?: unknown;
      hint?: string;
    } = {},
  ) {
    super(message, { cause: extra.cause, hint: extra.hint });
    this.kind = kind;
    this.exitCode = EXIT_BY_KIND[kind] ?? EXIT.PROVIDER;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.code !== undefined) this.code = extra.code;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
    if (extra.quota !== undefined) this.quota = extra.quota;
    if (extra.api !== undefined) this.api = extra.api;
  }
}

export function isProviderCallError(e: unknown): e is ProviderCallError {
  return e instanceof ProviderCallError;
}
