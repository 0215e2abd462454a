/**
 * Linking and unlinking a meter, and the keys that seal its tokens: the consent flow and
 * the revocation live in src/link/; this is what the commands call.
 */
import { randomBytes } from 'node:crypto';
import { parseEncryptionKey } from '../auth/vault.js';
import { requireDevice, type DeviceWithBuilding } from '../db/devices.js';
import { UsageError } from '../domain/errors.js';
import { PROVIDERS, findProvider, providerEntry, type ProviderName } from '../providers/index.js';
import { keyringFromEnv, NEW_KEY_ENV } from '../link/keyring.js';
import { linkMeter as runConsentFlow, type LinkMeterOptions } from '../link/linkMeter.js';
import { rotateKeys as resealTokens, type RotationResult } from '../link/rotateKeys.js';
import { unlinkMeter as deleteMeter, type UnlinkResult } from '../link/unlinkMeter.js';
import type { ProviderDeps } from '../providers/index.js';
import type { Env, ServiceDeps } from './deps.js';

export { NEW_KEY_ENV, PROVIDERS };
export type { DeviceWithBuilding, ProviderDeps, ProviderName, RotationResult, UnlinkResult };

/** The provider's name as people know it (Enedis, ORES…). */
export function providerLabel(name: ProviderName): string {
  return providerEntry(name).label;
}

/** What the user must do at the provider to withdraw a consent, when unlinking cannot. */
export function consentWithdrawalNote(name: string): string | undefined {
  return findProvider(name)?.consentWithdrawal;
}

export function parseProvider(value: string): ProviderName {
  if (!(PROVIDERS as readonly string[]).includes(value))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  return value as ProviderName;
}

/** Links a meter through its provider's consent; returns the stored device, never a token. */
export async function linkMeter(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'log'>,
  opts: Omit<LinkMeterOptions, 'log'>,
): Promise<DeviceWithBuilding> {
  return runConsentFlow(deps.db, deps.config, { ...opts, log: deps.log });
}

/** The meter by PRM or device id; NotFoundError (exit 9) when there is none. */
export async function findMeter(
  deps: Pick<ServiceDeps, 'db'>,
  ref: string,
): Promise<DeviceWithBuilding> {
  return requireDevice(deps.db, ref);
}

export async function unlinkMeter(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  env: Env,
  ref: string,
  opts: { purgeReadings: boolean; providerDeps?: ProviderDeps },
): Promise<UnlinkResult> {
  return deleteMeter(deps.db, deps.config, env, ref, opts);
}

/**
 * The new key, from the environment variable `name` only (so it never sits in shell
 * history); refused when it is the current key.
 */
export function newSealingKey(
  config: { encryptionKey?: string | null },
  env: Env,
  name = NEW_KEY_ENV,
) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`--new-key-env must name an environment variable, got "${name}"`);
  }
  const newKey = parseEncryptionKey(env[name], name);
  const current = config.encryptionKey ?? undefined;
  if (current && parseEncryptionKey(current).keyId === newKey.keyId) {
    throw new UsageError(`${name} holds the same key as IOT_ENCRYPTION_KEY`, {
      hint: 'generate a new one with `koprogo-iot keys generate`',
    });
  }
  return newKey;
}

/** Re-seals every stored token under `newKey`, in one transaction. */
export async function rotateKeys(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  env: Env,
  newKey: ReturnType<typeof newSealingKey>,
): Promise<RotationResult> {
  const current = deps.config.encryptionKey ?? undefined;
  return resealTokens(deps.db, () => keyringFromEnv(env, current), newKey);
}

/** 32 random bytes as 64 hex characters, the form IOT_ENCRYPTION_KEY takes. */
export function generateKey(): string {
  return randomBytes(32).toString('hex');
}
