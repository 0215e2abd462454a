/**
 * Configuration: file + environment + flags, validated once against one schema
 * (src/config/schema.ts). Precedence: flags > environment > config file > defaults, applied
 * by resolveConfig only. Secrets (client secrets, IOT_ENCRYPTION_KEY, DATABASE_URL) come
 * from the environment only.
 */
export {
  ALERT_CONDITIONS,
  ANOMALY_METHODS,
  DEFAULT_ALERT_RULES,
  DEFAULT_TIME_ZONE,
  LANGUAGES,
  THRESHOLD_PERCENT,
  configFileSchema,
  isValidThresholdPercent,
  type AlertRule,
  type AnomalyMethod,
  type ChannelConfig,
  type ConfigFile,
  type Language,
} from './config/schema.js';
export { isValidTimeZone } from './config/fields.js';
export { providerEnvVar, type ProviderConfig } from './config/providers.js';
export {
  defaultDataDir,
  resolveConfig,
  type Config,
  type Env,
  type GlobalFlags,
} from './config/resolve.js';
export { loadConfig, locateConfigFile, readConfigFile, type LoadOptions } from './config/load.js';
export {
  missingProviderCredentials,
  requireProviderCredentials,
  type MissingCredential,
} from './config/credentials.js';

/** The environment variables the tool reads, for --help. */
export const ENV_HELP: ReadonlyArray<[string, string]> = [
  ['DATABASE_URL', 'PostgreSQL server URL (default: embedded database)'],
  ['IOT_ENCRYPTION_KEY', '64 hex characters: key that seals provider tokens at rest'],
  ['IOT_ENCRYPTION_KEY_PREVIOUS', 'comma list of older keys still accepted to open tokens'],
  ['IOT_ENCRYPTION_KEY_NEW', 'new key for `keys rotate` (or --new-key-env NAME)'],
  ['KOPROGO_IOT_CONFIG', 'config file path'],
  ['KOPROGO_IOT_DATA_DIR', 'embedded database directory'],
  ['KOPROGO_IOT_BUILDING', 'default building (name or id)'],
  ['KOPROGO_IOT_TIMEZONE', 'default time zone of new buildings'],
  ['KOPROGO_IOT_ENEDIS_BASE_URL', 'host serving every Enedis path (sandbox, simulator)'],
  ['KOPROGO_IOT_ORES_BASE_URL', 'host serving every ORES path'],
  ['KOPROGO_IOT_ENEDIS_CLIENT_ID / _CLIENT_SECRET', 'Enedis application credentials'],
  ['KOPROGO_IOT_ORES_CLIENT_ID / _CLIENT_SECRET', 'ORES application credentials'],
  ['KOPROGO_IOT_LANGUAGE', 'alert language: fr (default) or en'],
  ['NO_COLOR', 'disable colours'],
  ['DEBUG', 'set to 1 to print stacks of unexpected errors'],
];
