/** Buildings: add one (its time zone checked), list them with their meters and readings. */
import { isValidZone } from '../analytics/periods.js';
import {
  addBuilding as insertBuilding,
  listBuildings as selectBuildings,
  type Building,
} from '../db/buildings.js';
import { UsageError } from '../domain/errors.js';
import type { ServiceDeps } from './deps.js';

export type { Building };
export type BuildingListRow = Awaited<ReturnType<typeof selectBuildings>>[number];

/** The zone given, else the configured default; an unknown zone is a usage error. */
export function buildingTimeZone(
  config: Pick<ServiceDeps['config'], 'defaults'>,
  given?: string,
): string {
  const zone = given ?? config.defaults.timeZone;
  if (!isValidZone(zone))
    throw new UsageError(`--timezone "${zone}" is not an IANA time zone (e.g. Europe/Brussels)`);
  return zone;
}

export async function addBuilding(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  name: string,
  timeZone: string | undefined,
): Promise<Building> {
  return insertBuilding(deps.db, name, buildingTimeZone(deps.config, timeZone));
}

export async function listBuildings(deps: Pick<ServiceDeps, 'db'>): Promise<BuildingListRow[]> {
  return selectBuildings(deps.db);
}
