/**
 * The database part of `init`: create (migrate) the database the configuration names and
 * add the first building, if one was given. A building that already exists is kept.
 */
import type { Config } from '../config.js';
import { addBuilding } from '../db/buildings.js';
import { openDatabase } from '../db/open.js';
import { ConflictError } from '../domain/errors.js';

export interface InitProjectResult {
  /** The building was added now (false: none given, or it already existed). */
  buildingAdded: boolean;
}

export async function initProject(
  config: Config,
  building: { name: string; timeZone: string } | null,
): Promise<InitProjectResult> {
  const db = await openDatabase(config, { command: 'init' });
  try {
    if (!building) return { buildingAdded: false };
    try {
      await addBuilding(db, building.name, building.timeZone);
      return { buildingAdded: true };
    } catch (e) {
      if (e instanceof ConflictError) return { buildingAdded: false };
      throw e;
    }
  } finally {
    await db.close();
  }
}
