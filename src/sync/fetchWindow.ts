/**
 * One window's provider call under the sync policy: the rate limiter before every call;
 * transient failures and malformed answers retried with exponential backoff and jitter
 * (p-retry, 3 tries); a 429 waits as told (the wait is also persisted by the caller so a
 * restart respects it); an expired ORES access token is refreshed once; no data is not an error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry from 'p-retry';
import { isProviderCallError, ProviderCallError } from '../providers/errors.js';
import type { RateLimiter } from '../providers/rateLimiter.js';
import type { DeviceTokens, LoadCurveKind, Provider } from '../providers/types.js';
import type { IntervalReading } from '../domain/readings.js';
import { addDays, daysBetween } from '../domain/localDays.js';

export interface FetchPolicy {
  provider: Provider;
  limiter: RateLimiter;
  /** Per-key interval (ORES: the building). */
  limiterKey?: string;
  /** Tries for transient failures (3 = one call and two retries). */
  tries: number;
  /** First backoff delay, ms (doubles each retry, randomised). */
  minBackoffMs: number;
  /** A 429 asking to wait longer than this ends the device's sync for this cycle. */
  maxRateLimitWaitMs: number;
  signal?: AbortSignal;
  getTokens(): DeviceTokens;
  /** Refreshes the device's tokens (stored by the caller); called at most once per window. */
  refreshTokens(): Promise<void>;
  onRateLimited(until: Date): Promise<void>;
  /** Counts the call in the hourly quota shared through the database; a date = over, retry then. */
  takeSharedQuota?: () => Promise<Date | null>;
  /**
   * Waits for a place among the per-second calls shared through the database; the release
   * marks the call answered.
   */
  takeSharedSlot?: (signal?: AbortSignal) => Promise<() => Promise<void>>;
  /** A wait the provider asked every process for (hourly quota), in ms; null when none runs. */
  sharedPauseMs?: () => Promise<number | null>;
  /** Records an hourly-quota wait for every process (a 429 naming the hourly quota). */
  onProviderPause?: (waitMs: number, e: ProviderCallError) => Promise<void>;
  /** Counts provider calls made, including failed ones. */
  stats: { calls: number; rateLimited: number; retried: number };
}

export interface WindowAnswer {
  readings: IntervalReading[];
  noData: boolean;
}

const MAX_RATE_LIMIT_HITS = 30;

type WindowRequest = { prm: string; kind: LoadCurveKind; fromDay: string; toDay: string };

export async function fetchWindow(p: FetchPolicy, req: WindowRequest): Promise<WindowAnswer> {
  const res = await callWithPolicy(p, (signal) =>
    p.provider.fetchLoadCurve({ ...req, tokens: p.getTokens(), ...(signal ? { signal } : {}) }),
  );
  return res === 'no_data'
    ? { readings: [], noData: true }
    : { readings: res.readings, noData: false };
}

/**
 * Any provider call under the policy: limits, retries, 429 waits, one token refresh. No data
 * (404) is not an error: 'no_data'.
 */
export async function callWithPolicy<T>(
  p: FetchPolicy,
  call: (signal?: AbortSignal) => Promise<T>,
): Promise<T | 'no_data'> {
  let refreshed = false;
  let hits = 0;
  for (;;) {
    try {
      return await pRetry(() => callOnce(p, call), retryOptions(p));
    } catch (e) {
      if (p.signal?.aborted) throw p.signal.reason ?? e;
      if (!isProviderCallError(e)) throw e;
      if (e.kind === 'no_data') return 'no_data';
      if (e.kind === 'rate_limited') {
        hits++;
        p.stats.rateLimited++;
        const wait = e.retryAfterMs ?? 1000;
        const until = new Date(Date.now() + wait);
        p.limiter.pauseUntil(until);
        await p.onRateLimited(until);
        if (e.quota === 'hour') await p.onProviderPause?.(wait, e);
        if (wait > p.maxRateLimitWaitMs || hits > MAX_RATE_LIMIT_HITS) throw e;
        // A little jitter so concurrent devices do not all come back in the same millisecond.
        await sleep(wait + Math.floor(Math.random() * 50), undefined, { signal: p.signal });
        continue;
      }
      if (e.kind === 'token_expired' && !refreshed) {
        refreshed = true;
        await p.refreshTokens();
        continue;
      }
      throw e;
    }
  }
}

/** One call under the limiter and the shared hourly quota. */
async function callOnce<T>(p: FetchPolicy, call: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  // A quota used up for longer than we would wait (the hour's calls): end this meter's
  // turn now, as after a 429, instead of blocking until the window frees.
  const freeAt = p.limiter.nextAllowedAt();
  if (freeAt && freeAt.getTime() - Date.now() > p.maxRateLimitWaitMs)
    throw new ProviderCallError('rate_limited', 'the hourly provider quota is used up', {
      retryAfterMs: freeAt.getTime() - Date.now(),
    });
  const paused = p.sharedPauseMs ? await p.sharedPauseMs() : null;
  if (paused !== null && paused > 0) {
    throw new ProviderCallError(
      'rate_limited',
      'the provider asked every process of this application to wait (hourly quota)',
      { retryAfterMs: paused },
    );
  }
  const release = await p.limiter.acquire(p.limiterKey, p.signal);
  const retryAt = p.takeSharedQuota ? await p.takeSharedQuota() : null;
  if (retryAt) {
    release();
    throw new ProviderCallError(
      'rate_limited',
      'the hourly provider quota shared by every process on this database is used up',
      { retryAfterMs: Math.max(0, retryAt.getTime() - Date.now()) },
    );
  }
  let releaseShared: () => Promise<void> = async () => {};
  try {
    // A place among the per-second calls of every process on this database.
    if (p.takeSharedSlot) releaseShared = await p.takeSharedSlot(p.signal);
  } catch (e) {
    release();
    throw e;
  }
  p.stats.calls++;
  try {
    return await call(p.signal);
  } finally {
    release();
    await releaseShared().catch(() => undefined);
  }
}

const retriable = (error: unknown) =>
  isProviderCallError(error) && (error.kind === 'transient' || error.kind === 'malformed');

/** Transient failures and malformed answers: exponential backoff with jitter. */
function retryOptions(p: FetchPolicy) {
  return {
    retries: Math.max(0, p.tries - 1),
    factor: 2,
    minTimeout: p.minBackoffMs,
    maxTimeout: Math.max(p.minBackoffMs, 30_000),
    randomize: true,
    signal: p.signal,
    shouldRetry: ({ error }: { error: unknown }) => retriable(error),
    onFailedAttempt: ({ error, retriesLeft }: { error: unknown; retriesLeft: number }) => {
      if (retriesLeft > 0 && retriable(error)) p.stats.retried++;
    },
  };
}

/** The provider refused the window because it starts before the meter's activation. */
export function isBeforeActivation(e: unknown): boolean {
  return isProviderCallError(e) && e.kind === 'bad_request' && e.code === 'ADAM-ERR0123';
}

/** The provider refused the window because it starts before the consent's start (ADAM-DC-0009). */
export function isBeforeConsentStart(e: unknown): boolean {
  return isProviderCallError(e) && e.kind === 'before_consent_start';
}

/** Either refusal: nothing may be asked before some first day; the search finds it. */
export function isBeforeFirstDay(e: unknown): boolean {
  return isBeforeActivation(e) || isBeforeConsentStart(e);
}

/**
 * The meter's first day of data (or of the consent) in ]knownBefore, endDay[, found by bisection with one-day
 * calls (about ten for 24 months), or endDay when there is none. Moving a window forward a
 * day at a time instead spends up to seven calls per week before the activation: hundreds
 * of calls of the application's hourly quota for a meter activated a year ago.
 */
export async function findActivationDay(
  p: FetchPolicy,
  req: { prm: string; kind: LoadCurveKind; knownBefore: string; endDay: string },
): Promise<string> {
  let lo = req.knownBefore;
  let hi = req.endDay;
  for (let n = daysBetween(lo, hi) ?? 0; n > 1; n = daysBetween(lo, hi) ?? 0) {
    const mid = addDays(lo, Math.floor(n / 2));
    try {
      await fetchWindow(p, { prm: req.prm, kind: req.kind, fromDay: mid, toDay: addDays(mid, 1) });
      hi = mid;
    } catch (e) {
      if (!isBeforeFirstDay(e)) throw e;
      lo = mid;
    }
  }
  return hi;
}
