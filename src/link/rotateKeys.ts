/**
 * Key rotation: every sealed token is opened with the current (or a previous) key and sealed
 * again under the new key, all in one transaction, so a failure leaves every row as it was.
 */
import { deviceTokenAad, reseal, type EncryptionKey, type Keyring } from '../auth/vault.js';
import { listSealedTokens, writeSealedTokens } from '../db/devices.js';
import {
  listSealedP1Credentials,
  p1CredentialAad,
  storeResealedP1Credentials,
} from '../db/p1Meters.js';
import type { Database, Queryable } from '../db/types.js';

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
    const p1 = await resealP1Credentials(tx, keyring, newKey);
    return {
      devices: rows.length + p1.devices,
      resealed: resealed + p1.resealed,
      keyId: newKey.keyId,
    };
  });
}

/** The same for P1 meters' broker credentials (p1_meters), in the same transaction. */
async function resealP1Credentials(
  tx: Queryable,
  keyring: () => Keyring,
  newKey: EncryptionKey,
): Promise<{ devices: number; resealed: number }> {
  const rows = await listSealedP1Credentials(tx);
  if (rows.length === 0) return { devices: 0, resealed: 0 };
  const ring = keyring();
  let resealed = 0;
  for (const row of rows) {
    const again = (value: string | null, column: 'username' | 'password') =>
      value === null ? null : reseal(value, ring, newKey, p1CredentialAad(row.device_id, column));
    const username = again(row.username_encrypted, 'username');
    const password = again(row.password_encrypted, 'password');
    if (username === row.username_encrypted && password === row.password_encrypted) continue;
    await storeResealedP1Credentials(tx, row.device_id, { username, password }, newKey.keyId);
    resealed++;
  }
  return { devices: rows.length, resealed };
}
