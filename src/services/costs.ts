/**
 * What the cost-aware use cases share: the tariff plans of the configuration, a building's
 * own contract, its readings as the pricing core reads them, and a bill of any stretch of
 * time. No tariffs configured, or a building without a contract: no pricing (null), and
 * the results carry kWh only.
 */
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import type { BuildingFacts } from '../config/schema.js';
import { energyReadings } from '../db/readings.js';
import type { Queryable } from '../db/types.js';
import {
  carbonOfReadings,
  contractOf,
  countryOfZone,
  priceBill,
  type Bill,
  type CarbonResult,
  type PricingReading,
  type ScheduleEntry,
  type TempoCalendar,
} from '../tariffs/index.js';
import type { BuildingSummary } from './deps.js';
import { historyStart, loadCalendars, type LoadedTariffs } from './priceConsumption.js';

/** The config file's tariffs section; calendar paths are relative to the config file. */
export function configuredTariffs(config: Pick<Config, 'tariffs' | 'configFile'>) {
  if (!config.tariffs || Object.keys(config.tariffs.plans).length === 0) return null;
  const baseDir = config.configFile ? path.dirname(path.resolve(config.configFile)) : '.';
  return { tariffs: config.tariffs, baseDir } satisfies LoadedTariffs;
}

export interface BuildingPricing {
  loaded: LoadedTariffs;
  schedule: ScheduleEntry[];
  calendars: Record<string, TempoCalendar>;
  /** The plans of the contract, oldest first. */
  planNames: string[];
}

/** The building's own contract, ready to price; null when it has none. */
export async function pricingOf(
  config: Pick<Config, 'tariffs' | 'configFile'>,
  building: Pick<BuildingSummary, 'id' | 'name'>,
): Promise<BuildingPricing | null> {
  const loaded = configuredTariffs(config);
  const contract = loaded && contractOf(loaded.tariffs, building);
  if (!loaded || !contract) return null;
  const planNames = [...new Set(contract.map((c) => c.plan))];
  return {
    loaded,
    schedule: contract,
    calendars: await loadCalendars(loaded, planNames),
    planNames,
  };
}

/** Surface and units of a building (config `buildings`, by name in any case or id). */
export function buildingFactsOf(
  config: Pick<Config, 'buildings'>,
  building: Pick<BuildingSummary, 'id' | 'name'>,
): BuildingFacts | null {
  for (const [key, facts] of Object.entries(config.buildings))
    if (key === building.id || key.toLowerCase() === building.name.toLowerCase()) return facts;
  return null;
}

/** A building's readings (every meter, consumption and production) in [from, to), by time. */
export async function pricingReadings(
  q: Queryable,
  buildingId: string,
  from: Date,
  to: Date,
  deviceRef?: string,
): Promise<PricingReading[]> {
  const rows = await energyReadings(q, { buildingId, from, to });
  return rows
    .filter((r) => deviceRef === undefined || r.device_ref === deviceRef)
    .map((r) => ({
      start: r.timestamp,
      seconds: r.interval_seconds,
      kwh: r.value,
      metric: r.metric_type === 'electricity_production' ? 'production' : 'consumption',
      deviceRef: r.device_ref,
    }));
}

/** Where readings must start for a bill of [from, to): earlier when a capacity average needs it. */
export function pricingHistoryStart(p: BuildingPricing, from: Date, zone: string): Date {
  return historyStart(p.loaded, p.planNames, from, zone);
}

/** Index of the first reading starting at or after `ms` (readings sorted by start). */
function firstAtOrAfter(readings: readonly PricingReading[], ms: number): number {
  let lo = 0;
  let hi = readings.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((readings[mid] as PricingReading).start.getTime() < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The readings of [from, to) out of a sorted list, without copying the rest. */
export function readingsBetween(
  readings: readonly PricingReading[],
  from: Date,
  to: Date,
): PricingReading[] {
  return readings.slice(
    firstAtOrAfter(readings, from.getTime()),
    firstAtOrAfter(readings, to.getTime()),
  );
}

/** When the contract starts: its first entry, or its plan's first version if later. */
export function contractStart(p: BuildingPricing, zone: string): Date {
  const first = [...p.schedule].sort((a, b) => a.validFrom.localeCompare(b.validFrom))[0];
  const plan = first ? p.loaded.tariffs.plans[first.plan] : undefined;
  const planDay = plan?.versions.map((v) => v.validFrom).sort()[0] ?? '1970-01-01';
  const entryDay = first?.validFrom ?? '1970-01-01';
  return DateTime.fromISO(entryDay > planDay ? entryDay : planDay, { zone }).toJSDate();
}

/**
 * The bill of [from, to) under the building's contract, out of readings sorted by start
 * (which may reach further back for a rolling capacity average, and further on). A period
 * that begins before the contract is billed from the contract's start; one that ends
 * before it has no bill (null).
 */
export function billOf(
  p: BuildingPricing,
  readings: readonly PricingReading[],
  zone: string,
  fromIn: Date,
  to: Date,
  measuredPeaks?: readonly { month: string; kw: number; at: Date | null }[],
): Bill | null {
  const start = contractStart(p, zone);
  const from = fromIn < start ? start : fromIn;
  if (from >= to) return null;
  return priceBill({
    plans: p.loaded.tariffs.plans,
    schedule: p.schedule,
    zone,
    from,
    to,
    readings: readingsBetween(readings, pricingHistoryStart(p, from, zone), to),
    calendars: p.calendars,
    carbon: p.loaded.tariffs.carbon,
    measuredPeaks,
  });
}

/** kg CO2e of [from, to) with no contract: the grid of the building's zone, if known. */
export function carbonWithoutPlan(
  config: Pick<Config, 'tariffs'>,
  readings: readonly PricingReading[],
  zone: string,
  from: Date,
  to: Date,
): CarbonResult | null {
  const country = countryOfZone(zone);
  if (!country) return null;
  return carbonOfReadings(readingsBetween(readings, from, to), zone, country, {
    ...config.tariffs?.carbon,
  });
}

/** Euros as a JSON number: cents / 100, exact to the cent as printed. */
export const euros = (cents: number): number => Math.round(cents) / 100;
