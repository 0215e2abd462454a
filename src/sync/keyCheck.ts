/**
 * The encryption key is checked once before any meter is synced. A missing, malformed or
 * wrong IOT_ENCRYPTION_KEY is a problem of this machine, not of the meters: the sync stops
 * with the key's own error (exit 3 or 5) and leaves every meter's state as it was, instead
 * of marking each one "error" and blaming the provider.
 */
import { AuthError } from '../domain/errors.js';
import { listDevices } from '../db/devices.js';
import type { Queryable } from '../db/types.js';
import { keyringFromEnv, type KeyEnv } from '../link/keyring.js';

export async function checkEncryptionKey(
  db: Queryable,
  env: KeyEnv,
  configKey: string | null,
  only?: { deviceIds?: string[]; buildingId?: string },
): Promise<void> {
  const sealed = (await listDevices(db, only?.buildingId ? { buildingId: only.buildingId } : {}))
    .filter((d) => d.has_tokens && (!only?.deviceIds || only.deviceIds.includes(d.id)))
    .filter((d) => d.token_key_id);
  if (sealed.length === 0) return;
  // A ConfigError (exit 3) when the key is unset or not 64 hexadecimal characters.
  const keyring = keyringFromEnv(env, configKey ?? undefined);
  const known = new Set([keyring.current, ...(keyring.previous ?? [])].map((k) => k.keyId));
  const unopenable = sealed.filter((d) => !known.has(d.token_key_id!));
  if (unopenable.length > 0)
    throw new AuthError(
      `IOT_ENCRYPTION_KEY (key ${keyring.current.keyId}) does not open the tokens of ${unopenable
        .map((d) => d.prm)
        .join(', ')}, sealed with key ${unopenable[0]!.token_key_id}`,
      {
        hint: 'set IOT_ENCRYPTION_KEY to the key the tokens were sealed with (or list it in IOT_ENCRYPTION_KEY_PREVIOUS), or link the meter again',
      },
    );
}
