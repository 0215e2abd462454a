/**
 * The names of the providers this build knows. Data (a device row, a config key) holds a
 * plain string; `isProviderName` and the registry check it against this list.
 */
export const PROVIDERS = ['enedis', 'ores', 'p1'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * Providers whose readings are fetched over HTTP: each has a `providers.<name>` section of
 * URLs, client id and quotas. A P1 meter pushes its telegrams and has no such section.
 */
export const PULLED_PROVIDERS = ['enedis', 'ores'] as const;
export type PulledProviderName = (typeof PULLED_PROVIDERS)[number];

export function isProviderName(s: string): s is ProviderName {
  return (PROVIDERS as readonly string[]).includes(s);
}

export function isPulledProviderName(s: string): s is PulledProviderName {
  return (PULLED_PROVIDERS as readonly string[]).includes(s);
}
