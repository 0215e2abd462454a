/**
 * Entry point of the provider adapters: pick the adapter for a provider's settings.
 */
import { createEnedisProvider, type ProviderDeps } from './enedis.js';
import { createOresProvider } from './ores.js';
import type { Provider, ProviderSettings } from './types.js';

export function createProvider(settings: ProviderSettings, deps: ProviderDeps = {}): Provider {
  switch (settings.name) {
    case 'enedis':
      return createEnedisProvider(settings, deps);
    case 'ores':
      return createOresProvider(settings, deps);
  }
}

export {
  DEFAULT_PROVIDER_SETTINGS,
  ENEDIS_V5_DEFAULTS,
  defaultProviderSettings,
  resolveProviderUrls,
} from './settings.js';
export {
  createEnedisProvider,
  type EnedisProvider,
  type DailyConsumptionRequest,
  type ProviderDeps,
} from './enedis.js';
export { createOresProvider } from './ores.js';
export {
  createRateLimiter,
  rateLimiterFor,
  type RateLimiter,
  type RateLimiterOptions,
} from './rateLimiter.js';
export {
  parseEnedis2026LoadCurve,
  parseEnedisV5LoadCurve,
  parseEnedisDaily,
  parseEnedisLoadCurve,
  type EnedisParseOptions,
} from './parseEnedis.js';
export { parseOresLoadCurve } from './parseOres.js';
export {
  expectedIntervalsForDay,
  localDaySeconds,
  localDayStart,
  localDayStartIso,
} from './localTime.js';
export { ProviderCallError, isProviderCallError, type ProviderErrorKind } from './errors.js';
export type * from './types.js';
