/**
 * The encryption keys from the environment: IOT_ENCRYPTION_KEY seals, and
 * IOT_ENCRYPTION_KEY_PREVIOUS (a comma list) still opens values sealed before a rotation.
 */
import {
  parseEncryptionKey,
  parseKeyring,
  type EncryptionKey,
  type Keyring,
} from '../auth/vault.js';
import { providerEntry } from '../providers/registry.js';

export type KeyEnv = Record<string, string | undefined>;

export const PREVIOUS_KEYS_ENV = 'IOT_ENCRYPTION_KEY_PREVIOUS';
export const NEW_KEY_ENV = 'IOT_ENCRYPTION_KEY_NEW';

/** The keyring to open tokens with; a ConfigError when IOT_ENCRYPTION_KEY is missing or malformed. */
export function keyringFromEnv(env: KeyEnv, current = env.IOT_ENCRYPTION_KEY): Keyring {
  return parseKeyring(current ?? undefined, env[PREVIOUS_KEYS_ENV]);
}

/** The key new tokens are sealed with; a ConfigError when missing or malformed. */
export function sealingKey(current: string | null | undefined): EncryptionKey {
  return parseEncryptionKey(current ?? undefined);
}

/** Whether a provider hands out tokens per meter, which must be sealed at rest. */
export function providerHasDeviceTokens(provider: string): boolean {
  return providerEntry(provider).capabilities.tokensPerMeter;
}
