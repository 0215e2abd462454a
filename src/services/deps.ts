/**
 * What a use case is handed: the open database, the validated configuration, the clock
 * and a logger. A service reads the time only from `now`, so a test can fix it.
 */
import type { Config } from '../config.js';
import type { Database } from '../db/types.js';
import type { Logger } from '../ui/logger.js';

export interface ServiceDeps {
  db: Database;
  config: Config;
  now: () => Date;
  log: Logger;
}

/** The parts of the environment a use case may read (secrets, keys). */
export type Env = Record<string, string | undefined>;

/** The building a command names (by name or id), or none: the default or the only one. */
export type BuildingRef = string | undefined;

/** A building as results carry it. */
export interface BuildingSummary {
  id: string;
  name: string;
  timezone: string;
}

export function buildingSummary(b: BuildingSummary): BuildingSummary {
  return { id: b.id, name: b.name, timezone: b.timezone };
}
