import { ConflictError, NotFoundError, UsageError } from '../domain/errors.js';
import type { Queryable } from './types.js';

export interface Building {
  id: string;
  name: string;
  timezone: string;
  created_at: Date;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function addBuilding(q: Queryable, name: string, timezone: string): Promise<Building> {
  const trimmed = name.trim();
  if (!trimmed) throw new UsageError('a building needs a name');
  if (UUID_RE.test(trimmed)) throw new UsageError('a building name cannot look like an id (UUID)');
  const r = await q.query<Building>(
    `INSERT INTO buildings (name, timezone) VALUES ($1, $2)
     ON CONFLICT (lower(name)) DO NOTHING
     RETURNING id, name, timezone, created_at`,
    [trimmed, timezone],
  );
  if (!r.rows[0]) throw new ConflictError(`a building named "${trimmed}" already exists`);
  return r.rows[0];
}

export async function listBuildings(
  q: Queryable,
): Promise<
  (Building & { devices: number; readings_from: Date | null; readings_to: Date | null })[]
> {
  const r = await q.query<
    Building & { devices: number; readings_from: Date | null; readings_to: Date | null }
  >(
    `SELECT b.id, b.name, b.timezone, b.created_at,
            (SELECT count(*)::int FROM linky_devices d WHERE d.building_id = b.id) AS devices,
            (SELECT min("timestamp") FROM iot_readings r WHERE r.building_id = b.id) AS readings_from,
            (SELECT max("timestamp") FROM iot_readings r WHERE r.building_id = b.id) AS readings_to
       FROM buildings b ORDER BY lower(b.name)`,
  );
  return r.rows;
}

/**
 * Finds the building a command works on: by name or id, else the configured default,
 * else the only building there is.
 */
export async function resolveBuilding(
  q: Queryable,
  ref: string | null | undefined,
  fallback?: string | null,
): Promise<Building> {
  const wanted = ref ?? fallback ?? null;
  if (wanted) {
    const r = await q.query<Building>(
      UUID_RE.test(wanted)
        ? 'SELECT id, name, timezone, created_at FROM buildings WHERE id = $1'
        : 'SELECT id, name, timezone, created_at FROM buildings WHERE lower(name) = lower($1)',
      [wanted],
    );
    if (!r.rows[0])
      throw new NotFoundError(`no building "${wanted}"`, {
        hint: 'see `koprogo-iot buildings list`',
      });
    return r.rows[0];
  }
  const all = await q.query<Building>(
    'SELECT id, name, timezone, created_at FROM buildings ORDER BY created_at LIMIT 2',
  );
  if (all.rows.length === 1) return all.rows[0] as Building;
  if (all.rows.length === 0)
    throw new NotFoundError('there is no building yet', {
      hint: 'add one with `koprogo-iot buildings add NAME`',
    });
  throw new UsageError('there are several buildings: say which one with --building NAME|ID');
}
