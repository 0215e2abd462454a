/**
 * Refreshing a meter's tokens (ORES: access token from a rotating refresh token), one
 * process at a time per meter, without holding any transaction while the provider answers:
 * 1. mark the device row as being refreshed by this process (a short statement);
 * 2. call the provider with no transaction open;
 * 3. store the rotated tokens, sealed, and clear the marker (one short transaction);
 * 4. only then hand the new access token to the caller.
 * A process that finds the marker held waits for it to clear and uses the tokens stored by
 * the holder, instead of a second refresh that the rotation would turn into invalid_grant.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EncryptionKey, Keyring } from '../auth/vault.js';
import { loadDeviceTokens } from '../db/devices.js';
import {
  claimTokenRefresh,
  releaseTokenRefresh,
  storeRefreshedTokens,
} from '../db/tokenRefresh.js';
import type { Database } from '../db/types.js';
import { ProviderCallError } from '../providers/errors.js';
import type { DeviceTokens, Provider } from '../providers/types.js';

/** Tokens that still have this long to live count as fresh. */
const FRESH_MARGIN_MS = 60_000;

export interface TokenRefreshContext {
  db: Database;
  provider: Provider;
  deviceId: string;
  /** Who holds the marker: the lease owner of the sync. */
  owner: string;
  keys: { keyring: Keyring; key: EncryptionKey };
  now: () => Date;
  signal?: AbortSignal;
  /** A marker older than this belongs to a dead process (default: twice the provider timeout). */
  staleSeconds?: number;
  /** How long to wait for another process's refresh before giving up this turn. */
  waitMs?: number;
  pollMs?: number;
  /** Runs after the rotated tokens are stored, before they are used (tests inject a fault). */
  afterStore?: (tokens: DeviceTokens) => Promise<void>;
}

/** Another process refreshed since `current` was read: its stored token is new and alive. */
export function refreshedElsewhere(stored: DeviceTokens, current: DeviceTokens, now: Date) {
  return (
    stored.accessToken !== undefined &&
    stored.accessToken !== current.accessToken &&
    (!stored.expiresAt || stored.expiresAt.getTime() > now.getTime() + FRESH_MARGIN_MS)
  );
}

export async function refreshDeviceTokens(
  c: TokenRefreshContext,
  current: DeviceTokens,
): Promise<DeviceTokens> {
  const staleSeconds = c.staleSeconds ?? Math.ceil((2 * c.provider.settings.timeoutMs) / 1000);
  const deadline = c.now().getTime() + (c.waitMs ?? staleSeconds * 1000);
  for (;;) {
    const stored = await loadDeviceTokens(c.db, { id: c.deviceId }, c.keys.keyring);
    if (refreshedElsewhere(stored, current, c.now())) return stored;
    if (await claimTokenRefresh(c.db, c.deviceId, c.owner, staleSeconds)) break;
    if (c.now().getTime() >= deadline) {
      throw new ProviderCallError(
        'transient',
        'another process is refreshing this meter’s access token; try again later',
      );
    }
    await sleep(c.pollMs ?? 250, undefined, c.signal ? { signal: c.signal } : {});
  }
  let stored = false;
  try {
    // Read again under the marker: a refresh may have finished between the read and the claim.
    const latest = await loadDeviceTokens(c.db, { id: c.deviceId }, c.keys.keyring);
    if (refreshedElsewhere(latest, current, c.now())) return latest;
    const fresh = await c.provider.refreshTokens(latest, c.signal);
    await storeRefreshedTokens(c.db, c.deviceId, c.owner, fresh, c.keys.key);
    stored = true;
    await c.afterStore?.(fresh);
    return fresh;
  } finally {
    if (!stored) await releaseTokenRefresh(c.db, c.deviceId, c.owner);
  }
}
