/**
 * The credentials a provider needs before a consent is opened, checked all at once so the
 * user learns every missing variable before the browser says "linked".
 */
import { ConfigError } from '../domain/errors.js';
import type { PulledProviderName as ProviderName } from '../providers/names.js';
import { providerEnvVar } from './providers.js';
import type { Config } from './resolve.js';

/**
 * Whether a provider needs its client secret to link: Enedis takes an application token
 * with it; ORES is a public client (PKCE) that sends a secret only when one is set.
 */
const SECRET_REQUIRED: Record<ProviderName, boolean> = { enedis: true, ores: false };

export interface MissingCredential {
  /** The key or name reported ("providers.ores.clientId"). */
  key: string;
  /** The environment variable that supplies it. */
  variable: string;
  /** The file key that may hold it instead (never for a secret). */
  fileKey?: string;
}

export function missingProviderCredentials(
  config: Config,
  provider: ProviderName,
): MissingCredential[] {
  const p = config.providers[provider];
  const missing: MissingCredential[] = [];
  if (!p.clientId)
    missing.push({
      key: `providers.${provider}.clientId`,
      variable: providerEnvVar(provider, 'CLIENT_ID'),
      fileKey: `providers.${provider}.clientId`,
    });
  if (SECRET_REQUIRED[provider] && !p.clientSecret)
    missing.push({
      key: `the ${provider} client secret`,
      variable: providerEnvVar(provider, 'CLIENT_SECRET'),
    });
  return missing;
}

/** Throws one ConfigError (exit 3) naming every missing credential and the variable to set. */
export function requireProviderCredentials(config: Config, provider: ProviderName): void {
  const missing = missingProviderCredentials(config, provider);
  if (missing.length === 0) return;
  const inFile = missing.flatMap((m) => (m.fileKey ? [m.fileKey] : []));
  throw new ConfigError(missing.map((m) => `${m.key} is not set`).join('; '), {
    hint:
      `set ${missing.map((m) => m.variable).join(' and ')} in the environment` +
      (inFile.length
        ? ` (the client id may instead go in ${inFile.join(', ')} of the config file)`
        : ''),
  });
}
