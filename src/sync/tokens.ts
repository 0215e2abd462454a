/**
 * Refreshing a device's ORES tokens: one refresh at a time per device, across processes,
 * by locking the device row; the rotated refresh token is stored in the same transaction.
 * If another process refreshed meanwhile, its fresh tokens are used instead of a second
 * refresh (which the rotation would turn into invalid_grant).
 */
import type { EncryptionKey, Keyring } from '../auth/vault.js';
import { loadDeviceTokens, storeDeviceTokens } from '../db/devices.js';
import type { Database } from '../db/types.js';
import type { DeviceTokens, Provider } from '../providers/types.js';

const FRESH_MARGIN_MS = 60_000;

export async function refreshDeviceTokens(
  db: Database,
  provider: Provider,
  deviceId: string,
  keys: { keyring: Keyring; key: EncryptionKey },
  current: DeviceTokens,
  signal?: AbortSignal,
): Promise<DeviceTokens> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT id FROM linky_devices WHERE id = $1 FOR UPDATE', [deviceId]);
    const stored = await loadDeviceTokens(tx, { id: deviceId }, keys.keyring);
    const someoneElseDidIt =
      stored.accessToken !== undefined &&
      stored.accessToken !== current.accessToken &&
      (!stored.expiresAt || stored.expiresAt.getTime() > Date.now() + FRESH_MARGIN_MS);
    if (someoneElseDidIt) return stored;
    const fresh = await provider.refreshTokens(stored, signal);
    await storeDeviceTokens(tx, deviceId, fresh, keys.key);
    return fresh;
  });
}
