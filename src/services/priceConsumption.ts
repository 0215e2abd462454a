/**
 * Use case: price a building's consumption over a period under one or several tariff plans
 * (side by side), or under the building's own contract. Loads the readings and the Tempo
 * calendars, hands them to the pure pricing core, returns data.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { resolveBuilding, type Building } from '../db/buildings.js';
import { energyReadings } from '../db/readings.js';
import type { Queryable } from '../db/types.js';
import { ConfigError, InputError } from '../domain/errors.js';
import type { BuildingRef, ServiceDeps } from './deps.js';
import {
  parseTariffPlans,
  parseTempoCalendar,
  priceBill,
  scheduleFor,
  type Bill,
  type PricingReading,
  type ScheduleEntry,
  type TariffPlans,
  type TempoCalendar,
} from '../tariffs/index.js';

export interface LoadedTariffs {
  tariffs: TariffPlans;
  /** Directory relative calendar paths are read from (the plans' file's). */
  baseDir: string;
}

/**
 * Reads the `tariffs` section of a JSON file: a whole config file (its `tariffs` key) or a
 * file holding the section alone (its `plans` key at the top).
 */
export async function loadTariffsFile(file: string): Promise<LoadedTariffs> {
  let doc: unknown;
  try {
    doc = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ConfigError(`cannot read tariff plans from ${file}: ${why}`, {
      hint: 'give a JSON file with a "tariffs" section (or its "plans") to --tariffs',
    });
  }
  const obj = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const section = 'plans' in obj && !('tariffs' in obj) ? obj : obj.tariffs;
  return { tariffs: parseTariffPlans(section), baseDir: path.dirname(path.resolve(file)) };
}

/** The Tempo calendars of the plans named, read from their files. */
export async function loadCalendars(
  loaded: LoadedTariffs,
  planNames: readonly string[],
): Promise<Record<string, TempoCalendar>> {
  const out: Record<string, TempoCalendar> = {};
  for (const name of new Set(planNames)) {
    const file = loaded.tariffs.plans[name]?.tempoCalendar;
    if (!file) continue;
    const full = path.resolve(loaded.baseDir, file);
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch (e) {
      throw new InputError(
        `cannot read the Tempo calendar of plan "${name}" (${full}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        { hint: 'tempoCalendar is a CSV or JSON file of day colours, relative to the config file' },
      );
    }
    out[name] = parseTempoCalendar(text, path.basename(full));
  }
  return out;
}

/** Where readings must start so a rolling 12-month capacity average sees its history. */
export function historyStart(
  loaded: LoadedTariffs,
  names: readonly string[],
  from: Date,
  zone: string,
) {
  const rolling = names.some((n) =>
    loaded.tariffs.plans[n]?.versions.some((v) => v.capacity?.mode === 'rolling-12-month-average'),
  );
  if (!rolling) return from;
  return DateTime.fromJSDate(from, { zone }).startOf('month').minus({ months: 11 }).toJSDate();
}

export interface PricedPlan {
  /** The plan's name, or "contract" for the building's own schedule of plans. */
  name: string;
  label: string | null;
  bill: Bill;
}

export interface PriceConsumptionResult {
  building: { id: string; name: string; timezone: string };
  from: Date;
  to: Date;
  plans: PricedPlan[];
}

export interface PriceConsumptionRequest {
  building: Pick<Building, 'id' | 'name' | 'timezone'>;
  loaded: LoadedTariffs;
  /** Plans to compare; none: the building's contract (tariffs.buildings). */
  planNames: readonly string[];
  from: Date;
  to: Date;
}

export async function priceConsumption(
  q: Queryable,
  req: PriceConsumptionRequest,
): Promise<PriceConsumptionResult> {
  const { building, loaded } = req;
  const zone = building.timezone;
  const schedules: { name: string; schedule: ScheduleEntry[] }[] = req.planNames.length
    ? req.planNames.map((n) => ({ name: n, schedule: scheduleFor(loaded.tariffs, building, n) }))
    : [{ name: 'contract', schedule: scheduleFor(loaded.tariffs, building, null) }];
  const used = schedules.flatMap((s) => s.schedule.map((e) => e.plan));
  const calendars = await loadCalendars(loaded, used);
  const rows = await energyReadings(q, {
    buildingId: building.id,
    from: historyStart(loaded, used, req.from, zone),
    to: req.to,
  });
  const readings: PricingReading[] = rows.map((r) => ({
    start: r.timestamp,
    seconds: r.interval_seconds,
    kwh: r.value,
    metric: r.metric_type === 'electricity_production' ? 'production' : 'consumption',
    deviceRef: r.device_ref,
  }));
  const plans = schedules.map(({ name, schedule }) => ({
    name,
    label: loaded.tariffs.plans[name]?.label ?? null,
    bill: priceBill({
      plans: loaded.tariffs.plans,
      schedule,
      zone,
      from: req.from,
      to: req.to,
      readings,
      calendars,
      carbon: loaded.tariffs.carbon,
    }),
  }));
  return {
    building: { id: building.id, name: building.name, timezone: building.timezone },
    from: req.from,
    to: req.to,
    plans,
  };
}

export interface SimulateQuery {
  building?: BuildingRef;
  /** The plans: a file given on the command line, else the config file's section. */
  loaded: LoadedTariffs;
  planNames: readonly string[];
  /** The period, once the building's zone (the one dates are written in) is known. */
  range: (zone: string) => { from: Date; to: Date };
}

/** Finds the building and prices its consumption under each plan asked for. */
export async function simulateTariffs(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  query: SimulateQuery,
): Promise<PriceConsumptionResult> {
  for (const name of query.planNames)
    if (!(name in query.loaded.tariffs.plans))
      throw new ConfigError(`no tariff plan "${name}"`, {
        hint: `configured plans: ${Object.keys(query.loaded.tariffs.plans).join(', ')}`,
      });
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  const { from, to } = query.range(building.timezone);
  return priceConsumption(deps.db, {
    building,
    loaded: query.loaded,
    planNames: query.planNames,
    from,
    to,
  });
}
