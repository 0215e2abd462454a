/**
 * Linking a meter: the RFC 8252 loopback consent flow, then the device row and its sealed
 * tokens written in one transaction. Everything that can be refused without the provider
 * (a bad PRM, a meter already linked, a missing encryption key) is refused before anything
 * is sent, and nothing is stored unless the whole flow succeeds.
 */
import { recordConsentDetails } from '../db/consentDetails.js';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LOOPBACK_TIMEOUT_MS, startLoopbackListener } from '../auth/loopback.js';
import { createPkce, encodeRelayState, randomState, type Pkce } from '../auth/pkce.js';
import type { EncryptionKey } from '../auth/vault.js';
import type { Config } from '../config.js';
import { resolveBuilding } from '../db/buildings.js';
import {
  alreadyLinked,
  getDevice,
  insertDevice,
  storeDeviceTokens,
  type DeviceWithBuilding,
} from '../db/devices.js';
import type { Database } from '../db/types.js';
import { AuthError, UsageError } from '../domain/errors.js';
import {
  createProvider,
  providerEntry,
  pulledProviderName,
  type ProviderDeps,
  type ProviderName,
} from '../providers/index.js';
import type { CallbackParams, DeviceTokens, LinkResult, Provider } from '../providers/types.js';
import type { Logger } from '../ui/logger.js';
import { sealingKey } from './keyring.js';

export interface LinkMeterOptions {
  provider: ProviderName;
  /** Building name or id; default: config defaults.building, else the only building. */
  building?: string | null;
  /** The meter the user expects; the consent must cover this one. */
  prm?: string;
  /** How long to wait for the browser (default 5 minutes). */
  timeoutMs?: number;
  /** Loopback port; 0 or unset takes a free one. */
  port?: number;
  /** Sends the user to the consent page (a browser, or a printed URL). */
  openUrl: (url: string) => Promise<void>;
  signal?: AbortSignal;
  log: Pick<Logger, 'info' | 'debug' | 'warn'>;
  /** HTTP client and clock for the provider adapter. */
  providerDeps?: ProviderDeps;
}

function hasTokens(t: DeviceTokens): boolean {
  return !!(t.accessToken || t.refreshToken);
}

/**
 * A meter whose consent ended (or that failed) may be linked again into the same building:
 * its row is updated in place, so its checkpoint, data start and gaps are kept and the next
 * sync resumes instead of backfilling the whole history again.
 */
function relinkable(
  existing: DeviceWithBuilding,
  buildingId: string,
  provider: ProviderName,
): boolean {
  return (
    existing.building_id === buildingId &&
    existing.provider === provider &&
    ['consent_expired', 'consent_revoked', 'error', 'unlinked'].includes(existing.status)
  );
}

/** Checks done before anything leaves this computer. */
async function precheck(
  db: Database,
  config: Config,
  opts: LinkMeterOptions,
): Promise<{ buildingId: string; buildingName: string; prm?: string; key?: EncryptionKey }> {
  // An unknown provider name is refused here, as the schema no longer lists the names.
  const entry = providerEntry(opts.provider);
  let prm: string | undefined;
  if (opts.prm !== undefined) {
    const problem = entry.capabilities.meterId.validate(opts.prm);
    if (problem) throw new UsageError(`--prm: ${problem}`);
    prm = opts.prm.trim();
  }
  const building = await resolveBuilding(db, opts.building, config.defaults.building);
  if (prm) {
    const existing = await getDevice(db, prm);
    if (existing && !relinkable(existing, building.id, opts.provider))
      throw alreadyLinked(prm, existing.building_name);
  }
  const key = entry.capabilities.tokensPerMeter ? sealingKey(config.encryptionKey) : undefined;
  return {
    buildingId: building.id,
    buildingName: building.name,
    ...(prm ? { prm } : {}),
    ...(key ? { key } : {}),
  };
}

/** Runs the browser part: listener, consent URL, callback, code exchange. */
async function consent(
  provider: Provider,
  redirectConfig: string | undefined,
  meterId: string | undefined,
  opts: LinkMeterOptions,
): Promise<LinkResult> {
  const random = randomState();
  // With a relay page (Enedis production), the provider redirects to the relay, which reads
  // the loopback port from the state; otherwise the provider redirects to the loopback itself.
  const listener = await startLoopbackListener({
    expectedState: redirectConfig ? (port) => encodeRelayState(random, port) : random,
    timeoutMs: opts.timeoutMs ?? DEFAULT_LOOPBACK_TIMEOUT_MS,
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    const redirectUri = redirectConfig ?? listener.redirectUri;
    const pkce: Pkce | undefined =
      providerEntry(provider.name).capabilities.link === 'oauth-code-pkce'
        ? createPkce()
        : undefined;
    const url = provider.authorizeUrl({
      state: listener.state,
      redirectUri,
      ...(pkce ? { codeChallenge: pkce.challenge } : {}),
      ...(meterId ? { meterId } : {}),
    });
    // The command says how the consent is given (browser opened, or an address to open).
    opts.log.debug('waiting for the consent answer on the loopback listener', {
      provider: provider.name,
      port: listener.port,
    });
    // The callback may settle (refusal, timeout) while the browser is still being opened.
    const params: CallbackParams = await Promise.race([
      opts.openUrl(url).then(() => listener.result),
      listener.result,
    ]);
    opts.log.debug('consent answer received; completing the link', { provider: provider.name });
    return await provider.completeLink(params, {
      redirectUri,
      ...(pkce ? { codeVerifier: pkce.verifier } : {}),
      ...(meterId ? { meterId } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } finally {
    await listener.close();
  }
}

/** Gives back tokens that will not be stored, so no grant is left behind; best effort. */
async function discardTokens(
  provider: Provider,
  tokens: DeviceTokens,
  log: LinkMeterOptions['log'],
) {
  if (!hasTokens(tokens)) return;
  try {
    await provider.revoke(tokens);
  } catch (e) {
    log.warn('could not revoke the tokens of the refused link at the provider', {
      provider: provider.name,
      error: (e as Error).message,
    });
  }
}

/**
 * Links a meter through the provider's consent page and stores it. Errors: UsageError (bad
 * PRM or port), NotFoundError (building), ConflictError (meter already linked), ConfigError
 * (encryption key, provider settings), AuthError (refused, wrong state, timeout, other
 * meter), ProviderError (provider unreachable or malformed answer).
 */
export async function linkMeter(
  db: Database,
  config: Config,
  opts: LinkMeterOptions,
): Promise<DeviceWithBuilding> {
  const checked = await precheck(db, config, opts);
  const settings = config.providers[pulledProviderName(opts.provider)];
  const provider = createProvider(settings, opts.providerDeps ?? {});
  const result = await consent(provider, settings.redirectUri, checked.prm, opts);

  try {
    if (checked.prm && result.prm !== checked.prm) {
      throw new AuthError(
        `the consent given covers meter ${result.prm}, not ${checked.prm}; nothing was stored`,
        { hint: `run the link again and choose meter ${checked.prm} on the consent page` },
      );
    }
    const existing = await getDevice(db, result.prm);
    if (existing && !relinkable(existing, checked.buildingId, opts.provider))
      throw alreadyLinked(result.prm, existing.building_name);
    // A provider with tokens per meter always got its key checked up front; this covers one
    // that unexpectedly returns tokens, which are never stored in the clear.
    const key = hasTokens(result.tokens)
      ? (checked.key ?? sealingKey(config.encryptionKey))
      : undefined;

    if (existing) {
      return await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE linky_devices
              SET authorization_id = $2, consent_expires_at = $3, status = 'active',
                  status_message = NULL, not_before = NULL, sync_enabled = TRUE, updated_at = now()
            WHERE id = $1`,
          [
            existing.id,
            result.authorizationId ?? null,
            result.consentExpiresAt?.toISOString() ?? null,
          ],
        );
        if (key) await storeDeviceTokens(tx, existing.id, result.tokens, key);
        await recordConsentDetails(tx, existing.id, result);
        const device = await getDevice(tx, existing.id);
        if (!device) throw new Error(`the device row ${existing.id} is missing after its update`);
        opts.log.info('meter linked again; its sync resumes from its checkpoint', {
          prm: result.prm,
        });
        return device;
      });
    }
    const id = randomUUID();
    return await db.transaction(async (tx) => {
      await insertDevice(tx, {
        id,
        buildingId: checked.buildingId,
        prm: result.prm,
        provider: opts.provider,
        ...(result.authorizationId ? { authorizationId: result.authorizationId } : {}),
        ...(result.consentExpiresAt ? { consentExpiresAt: result.consentExpiresAt } : {}),
      });
      if (key) await storeDeviceTokens(tx, id, result.tokens, key);
      await recordConsentDetails(tx, id, result);
      const device = await getDevice(tx, id);
      if (!device) throw new Error(`the device row ${id} is missing after its insert`);
      return device;
    });
  } catch (e) {
    await discardTokens(provider, result.tokens, opts.log);
    throw e;
  }
}
