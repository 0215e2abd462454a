/**
 * Unlinking a meter: revoke its tokens at the provider where the provider allows it, then
 * delete the device row and its sealed tokens (GDPR), keeping its readings unless asked.
 */
import type { Config } from '../config.js';
import {
  deleteDevice,
  loadDeviceTokens,
  purgeDeviceReadings,
  requireDevice,
  type DeviceWithBuilding,
} from '../db/devices.js';
import type { Database } from '../db/types.js';
import { createProvider, providerEntry, type ProviderDeps } from '../providers/index.js';
import { isPulledProviderName } from '../providers/names.js';
import type { KeyEnv } from './keyring.js';
import { keyringFromEnv } from './keyring.js';

export type RevocationOutcome =
  /** The provider confirmed the revocation. */
  | 'revoked'
  /** The provider offers no revocation to applications (Enedis: the customer withdraws it). */
  | 'not_supported'
  /** No per-meter token was held, so there was nothing to revoke here. */
  | 'no_tokens'
  /** It was tried and failed (key, network, provider); the reason is in revocationError. */
  | 'failed';

export interface UnlinkResult {
  device: DeviceWithBuilding;
  revocation: RevocationOutcome;
  revocationError?: string;
  readingsDeleted: number;
  readingsKept: boolean;
}

export interface UnlinkOptions {
  purgeReadings?: boolean;
  signal?: AbortSignal;
  providerDeps?: ProviderDeps;
}

async function revoke(
  db: Database,
  config: Config,
  env: KeyEnv,
  device: DeviceWithBuilding,
  opts: UnlinkOptions,
): Promise<{ revocation: RevocationOutcome; revocationError?: string }> {
  // A meter read on the premises (P1) holds no grant at any provider.
  if (!isPulledProviderName(device.provider)) return { revocation: 'no_tokens' };
  const provider = createProvider(config.providers[device.provider], opts.providerDeps ?? {});
  if (!device.has_tokens) {
    // A provider without tokens per meter (Enedis) ends its consents on its own side.
    const perMeter = providerEntry(device.provider).capabilities.tokensPerMeter;
    return { revocation: perMeter ? 'no_tokens' : 'not_supported' };
  }
  try {
    const tokens = await loadDeviceTokens(
      db,
      device,
      keyringFromEnv(env, config.encryptionKey ?? undefined),
    );
    const done = await provider.revoke(tokens, opts.signal);
    return { revocation: done ? 'revoked' : 'not_supported' };
  } catch (e) {
    // Deleting the local copy must not depend on the provider or on a lost key.
    return { revocation: 'failed', revocationError: (e as Error).message };
  }
}

/**
 * Unlinks a meter by id or PRM. NotFoundError when there is none. A failed revocation does
 * not stop the deletion: the result says so, for the caller to tell the user.
 */
export async function unlinkMeter(
  db: Database,
  config: Config,
  env: KeyEnv,
  ref: string,
  opts: UnlinkOptions = {},
): Promise<UnlinkResult> {
  const device = await requireDevice(db, ref);
  const outcome = await revoke(db, config, env, device, opts);
  const readingsDeleted = await db.transaction(async (tx) => {
    await deleteDevice(tx, device.id);
    return opts.purgeReadings ? purgeDeviceReadings(tx, device.building_id, device.prm) : 0;
  });
  return {
    device,
    ...outcome,
    readingsDeleted,
    readingsKept: !opts.purgeReadings,
  };
}
