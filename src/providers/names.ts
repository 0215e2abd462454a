/**
 * The names of the providers this build knows. Data (a device row, a config key) holds a
 * plain string; `isProviderName` and the registry check it against this list.
 */
export const PROVIDERS = ['enedis', 'ores'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function isProviderName(s: string): s is ProviderName {
  return (PROVIDERS as readonly string[]).includes(s);
}
