/** The providers the simulator fakes: its own list, as it stands for the real servers. */
export const PROVIDERS = ['enedis', 'ores'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
