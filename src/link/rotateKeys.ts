/**
 * Key rotation: every sealed token is opened with the current (or a previous) key and sealed
 * again under the new key, all in one transaction, so a failure leaves every row as it was.
 */
import { deviceTokenAad, reseal, type EncryptionKey, type Keyring } from '../auth/vault.js';
import { listSealedTokens, writeSealedTokens } from '../db/devices.js';
import type { Database } from '../db/types.js';

export interface RotationResult {
  /** Devices holding sealed tokens. */
  devices: number;
  /** Devices whose values were sealed again (those already under the new key are left). */
  resealed: number;
  /** Id of the new key (not secret). */
  keyId: string;
}

/**
 * Re-seals every device's tokens under newKey. `keyring` is asked for only when some token
 * is stored, so a database without tokens rotates without any current key.
 */
export async function rotateKeys(
  db: Database,
  keyring: () => Keyring,
  newKey: EncryptionKey,
): Promise<RotationResult> {
  return db.transaction(async (tx) => {
    const rows = await listSealedTokens(tx);
    const ring = rows.length > 0 ? keyring() : undefined;
    let resealed = 0;
    for (const row of rows) {
      if (!ring) break;
      // reseal opens every value, also those already under the new key: a value no key
      // opens stops the rotation instead of being carried over unreadable.
      const again = (value: string | null, column: 'access_token' | 'refresh_token') =>
        value === null ? null : reseal(value, ring, newKey, deviceTokenAad(row.id, column));
      const access = again(row.api_key_encrypted, 'access_token');
      const refresh = again(row.refresh_token_encrypted, 'refresh_token');
      if (access === row.api_key_encrypted && refresh === row.refresh_token_encrypted) continue;
      await writeSealedTokens(tx, row.id, { access, refresh, keyId: newKey.keyId });
      resealed++;
    }
    return { devices: rows.length, resealed, keyId: newKey.keyId };
  });
}
