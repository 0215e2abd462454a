/**
 * What `--device` names on the query commands: a linked meter (by PRM or device id) or an
 * imported series of the building. A name that is neither is "not found" (exit 9), never an
 * empty answer that looks like a meter using nothing.
 */
import { getDevice } from '../db/devices.js';
import { seriesExists } from '../db/readings.js';
import { NotFoundError } from '../domain/errors.js';
import type { Database } from '../db/types.js';
import type { BuildingSummary } from './deps.js';

/** The series name readings are stored under, for `--device`; undefined stays undefined. */
export async function resolveSeriesRef(
  db: Database,
  building: BuildingSummary,
  ref: string | undefined,
): Promise<string | undefined> {
  if (ref === undefined) return undefined;
  const device = await getDevice(db, ref);
  if (device && device.building_id === building.id) return device.prm;
  if (await seriesExists(db, building.id, ref.trim())) return ref.trim();
  const elsewhere = device ? ` (it belongs to building "${device.building_name}")` : '';
  throw new NotFoundError(
    `no meter or series "${ref.trim()}" in building "${building.name}"${elsewhere}`,
    {
      hint: device
        ? `add --building "${device.building_name}"`
        : 'see `koprogo-iot devices` for the meters (PRM or id)',
    },
  );
}
