/**
 * The token acquisition and fetch-policy steps of a meter's sync: the meter's tokens (for a
 * provider that holds them per meter), and how each call is made (limiter and its key,
 * retries, 429 waits persisted, the shared hourly quota, one token refresh per window).
 */
import { keyringFromEnv, sealingKey } from '../link/keyring.js';
import { loadDeviceTokens } from '../db/devices.js';
import { takeHourlyCall } from '../db/providerCalls.js';
import { pauseProvider, providerPause } from '../db/providerLimits.js';
import { SHARED_SECOND_GUARD_MS, waitForSharedSlot, SLOT_HOLD_MS } from './sharedSlot.js';
import { setNotBefore, type SyncDevice } from '../db/syncState.js';
import { ProviderCallError } from '../providers/errors.js';
import { rateLimiterKey, type ProviderEntry } from '../providers/registry.js';
import type { DeviceTokens, Provider } from '../providers/types.js';
import type { Logger } from '../ui/logger.js';
import type { FetchPolicy } from './fetchWindow.js';
import type { SyncEnv } from './syncEnv.js';
import { refreshDeviceTokens, type TokenRefreshContext } from './tokens.js';

/** The tokens a sync holds for its meter; a refresh replaces them. */
export interface TokenHolder {
  tokens: DeviceTokens;
}

/** The meter's stored tokens, opened; none for a provider without tokens per meter. */
export async function acquireTokens(
  env: SyncEnv,
  device: SyncDevice,
  entry: ProviderEntry,
): Promise<TokenHolder> {
  if (!entry.capabilities.tokensPerMeter) return { tokens: {} };
  const keyring = keyringFromEnv(env.env, env.config.encryptionKey ?? undefined);
  return { tokens: await loadDeviceTokens(env.db, device, keyring) };
}

export interface PolicyInput {
  env: SyncEnv;
  /** The meter the calls are for: its id (persisted waits) and building (per-building keys). */
  device: Pick<SyncDevice, 'id' | 'building_id'>;
  entry: ProviderEntry;
  provider: Provider;
  holder: TokenHolder;
  stats: FetchPolicy['stats'];
  log: Pick<Logger, 'info'>;
  now: () => Date;
}

export function buildFetchPolicy(p: PolicyInput): FetchPolicy {
  const { env, device, entry, provider } = p;
  const perHour = provider.settings.rateLimit.perHour;
  return {
    provider,
    limiter: env.limiter(entry.name),
    limiterKey: rateLimiterKey(entry.name, device),
    tries: env.config.sync.retries,
    minBackoffMs: env.minBackoffMs,
    maxRateLimitWaitMs: env.maxRateLimitWaitMs,
    signal: env.signal,
    stats: p.stats,
    getTokens: () => p.holder.tokens,
    refreshTokens: async () => {
      if (!entry.capabilities.canRefresh)
        throw new ProviderCallError(
          'consent_invalid',
          'the provider rejected the application token',
        );
      p.holder.tokens = await refreshDeviceTokens(refreshContext(p), p.holder.tokens);
      p.log.info('refreshed the access token');
    },
    onRateLimited: (until) => setNotBefore(env.db, device.id, until),
    ...sharedLimits(env, entry.name, provider.settings.rateLimit.perSecond),
    takeSharedQuota: perHour
      ? async () => {
          const q = await takeHourlyCall(env.db, entry.name, perHour);
          return q.allowed ? null : q.nextHour;
        }
      : undefined,
  };
}

function refreshContext(p: PolicyInput): TokenRefreshContext {
  const { env } = p;
  return {
    db: env.db,
    provider: p.provider,
    deviceId: p.device.id,
    owner: env.owner,
    keys: {
      keyring: keyringFromEnv(env.env, env.config.encryptionKey ?? undefined),
      key: sealingKey(env.config.encryptionKey),
    },
    now: p.now,
    ...(env.signal ? { signal: env.signal } : {}),
    ...(env.afterTokenStore ? { afterStore: env.afterTokenStore } : {}),
  };
}

/**
 * The per-second slot and the provider's hourly waits, shared through the database by every
 * process of the application: two daemons on one server together stay within 5 calls/s.
 */
function sharedLimits(
  env: SyncEnv,
  provider: string,
  perSecond: number | undefined,
): Pick<FetchPolicy, 'takeSharedSlot' | 'sharedPauseMs' | 'onProviderPause'> {
  // A call counts from its answer, so the provider saw it earlier: the window needs only a
  // small guard for the provider's clock and its own rounding.
  const limit = perSecond
    ? {
        calls: Math.floor(perSecond) || 1,
        windowMs: 1000 + SHARED_SECOND_GUARD_MS,
        holdMs: SLOT_HOLD_MS,
      }
    : undefined;
  return {
    ...(limit
      ? { takeSharedSlot: (signal) => waitForSharedSlot(env.db, provider, limit, signal) }
      : {}),
    sharedPauseMs: async () => (await providerPause(env.db, provider))?.waitMs ?? null,
    onProviderPause: (waitMs, e) =>
      pauseProvider(env.db, provider, waitMs, {
        ...(e.api !== undefined ? { api: e.api } : {}),
        reason: e.message,
      }),
  };
}
