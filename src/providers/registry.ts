/**
 * The provider registry: every provider this build knows, with what it can do. Link, sync,
 * the keyring and the device store ask the registry (by the name a device row or a command
 * line holds) instead of naming a provider.
 *
 * Adding a provider: give it a name in names.ts, write its entry (capabilities, and for a
 * pulled provider the adapter factory), and list the entry in BUILT_IN below.
 */
import { UsageError } from '../domain/errors.js';
import { createEnedisProvider, type ProviderDeps } from './enedis.js';
import { ENEDIS_PRM, ORES_PRM, textMeterId } from './meterIds.js';
import {
  isProviderName,
  isPulledProviderName,
  PROVIDERS,
  type ProviderName,
  type PulledProviderName,
} from './names.js';
import { createOresProvider } from './ores.js';
import type { Provider, ProviderCapabilities, ProviderSettings } from './types.js';

export interface ProviderEntry {
  name: ProviderName;
  /** The provider's name as users know it ("Enedis", "ORES"). */
  label: string;
  capabilities: ProviderCapabilities;
  /** The `source` of the readings a sync stores for this provider's meters. */
  readingSource: string;
  /** Where the customer withdraws a consent this tool cannot revoke, for `unlink` to say. */
  consentWithdrawal?: string;
  /** The adapter of a pulled provider; absent for one that pushes its readings. */
  createPullAdapter?: (settings: ProviderSettings, deps: ProviderDeps) => Provider;
}

const ENEDIS: ProviderEntry = {
  name: 'enedis',
  label: 'Enedis',
  capabilities: {
    link: 'enedis-consent',
    flow: 'pull',
    meterId: ENEDIS_PRM,
    rateLimitKey: 'application',
    tokensPerMeter: false,
    canRefresh: false,
    canRevoke: false,
  },
  readingSource: 'linky_enedis',
  consentWithdrawal:
    'Enedis consents are withdrawn by the customer: in their Enedis account (mon-compte-particulier.enedis.fr), under data sharing.',
  createPullAdapter: (settings, deps) => {
    if (settings.name !== 'enedis') throw new TypeError(`not Enedis settings: ${settings.name}`);
    return createEnedisProvider(settings, deps);
  },
};

const ORES: ProviderEntry = {
  name: 'ores',
  label: 'ORES',
  capabilities: {
    link: 'oauth-code-pkce',
    flow: 'pull',
    meterId: ORES_PRM,
    rateLimitKey: 'building',
    tokensPerMeter: true,
    canRefresh: true,
    canRevoke: true,
  },
  readingSource: 'linky_ores',
  createPullAdapter: (settings, deps) => {
    if (settings.name !== 'ores') throw new TypeError(`not ORES settings: ${settings.name}`);
    return createOresProvider(settings, deps);
  },
};

/**
 * A digital meter's P1 port (Belgian e-MUCS, Dutch DSMR), read by a dongle or a cable on the
 * premises: no consent and no token; the meter pushes a telegram every second and the
 * daemon's listener turns them into quarter-hour readings. Its id is the equipment id
 * (0-0:96.1.1) as decoded text.
 */
const P1: ProviderEntry = {
  name: 'p1',
  label: 'P1 port',
  capabilities: {
    link: 'local-connection',
    flow: 'push',
    meterId: textMeterId('equipment id', 96),
    rateLimitKey: 'application',
    tokensPerMeter: false,
    canRefresh: false,
    canRevoke: false,
  },
  readingSource: 'p1',
};

const BUILT_IN: readonly ProviderEntry[] = [ENEDIS, ORES, P1];
const entries = new Map<string, ProviderEntry>(BUILT_IN.map((e) => [e.name, e]));

/** Every provider name the registry knows, in a stable order. */
export function providerNames(): ProviderName[] {
  return PROVIDERS.filter((n) => entries.has(n));
}

/** The entry of a known provider, or undefined. */
export function findProvider(name: string): ProviderEntry | undefined {
  return isProviderName(name) ? entries.get(name) : undefined;
}

/** The entry of a provider; a UsageError naming the known ones when there is none. */
export function providerEntry(name: string): ProviderEntry {
  const entry = findProvider(name);
  if (!entry) {
    throw new UsageError(
      `unknown provider "${name}": this version knows ${providerNames().join(', ')}`,
    );
  }
  return entry;
}

/** Checks a meter id against its provider's format: a one-line problem, or null. */
export function validateMeterId(provider: string, id: string): string | null {
  return providerEntry(provider).capabilities.meterId.validate(id);
}

/** The key a meter's calls are spaced on by the rate limiter (undefined: the application's). */
export function rateLimiterKey(
  provider: string,
  meter: { building_id: string },
): string | undefined {
  return providerEntry(provider).capabilities.rateLimitKey === 'building'
    ? meter.building_id
    : undefined;
}

/**
 * The name of a provider that has a `providers.<name>` settings section (one pulled over
 * HTTP); a UsageError for one that pushes its readings (P1).
 */
export function pulledProviderName(name: ProviderName): PulledProviderName {
  if (isPulledProviderName(name)) return name;
  const entry = providerEntry(name);
  throw new UsageError(`${entry.label} pushes its readings: it has no adapter to pull from`, {
    hint: 'its listener runs in `koprogo-iot daemon`',
  });
}

/** The adapter of a pulled provider for its settings. */
export function createProvider(settings: ProviderSettings, deps: ProviderDeps = {}): Provider {
  const entry = providerEntry(settings.name);
  if (!entry.createPullAdapter) {
    throw new UsageError(`${entry.label} pushes its readings: it has no adapter to pull from`);
  }
  return entry.createPullAdapter(settings, deps);
}
