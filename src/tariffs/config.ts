/**
 * The adapter between the raw configuration file and the pricing core: validates the
 * `tariffs` section with tariffPlansSchema and reports every problem at once, each with its
 * key, in one ConfigError.
 */
import { ConfigError } from '../domain/errors.js';
import { tariffPlansSchema, type BuildingContract, type TariffPlans } from './schema.js';
import { singlePlanSchedule, type ScheduleEntry } from './segments.js';

/** Validates a raw `tariffs` section (undefined: no plans configured). */
export function parseTariffPlans(raw: unknown, where = 'tariffs'): TariffPlans {
  const r = tariffPlansSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const key = [where, ...i.path.map(String)].join('.');
    return `${key}: ${i.message}`;
  });
  throw new ConfigError(problems.join('; '), {
    hint: 'see "Costs and carbon" in the README for the shape of the tariffs section',
  });
}

/** The `tariffs` section of a whole raw config document. */
export function tariffPlansFromRawConfig(rawConfig: unknown): TariffPlans {
  const section =
    rawConfig && typeof rawConfig === 'object'
      ? (rawConfig as Record<string, unknown>).tariffs
      : undefined;
  return parseTariffPlans(section);
}

/** The contract of a building, found by its name (any case) or its id; null when none. */
export function contractOf(
  tariffs: TariffPlans,
  building: { id: string; name: string },
): BuildingContract | null {
  for (const [key, contract] of Object.entries(tariffs.buildings))
    if (key === building.id || key.toLowerCase() === building.name.toLowerCase()) return contract;
  return null;
}

/** What a request prices: one named plan, or the building's own contract. */
export function scheduleFor(
  tariffs: TariffPlans,
  building: { id: string; name: string },
  planName: string | null,
): ScheduleEntry[] {
  if (planName) {
    if (!(planName in tariffs.plans)) {
      const known = Object.keys(tariffs.plans);
      throw new ConfigError(`no tariff plan "${planName}" in the configuration`, {
        hint: known.length ? `plans: ${known.join(', ')}` : 'add plans under tariffs.plans',
      });
    }
    return singlePlanSchedule(planName);
  }
  const contract = contractOf(tariffs, building);
  if (!contract)
    throw new ConfigError(`building "${building.name}" has no tariff plan`, {
      hint: `name one with --plan, or add it under tariffs.buildings`,
    });
  return contract;
}
