/**
 * Entry point of the provider adapters: the registry (what each provider can do, its
 * adapter), settings, parsers and the shared HTTP helpers.
 */
export {
  createProvider,
  findProvider,
  providerEntry,
  providerNames,
  pulledProviderName,
  rateLimiterKey,
  validateMeterId,
  type ProviderEntry,
} from './registry.js';
export {
  PROVIDERS,
  PULLED_PROVIDERS,
  isProviderName,
  isPulledProviderName,
  type ProviderName,
  type PulledProviderName,
} from './names.js';
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
