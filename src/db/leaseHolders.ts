/**
 * Which meters another process is syncing now: a manual sync that finds them leased says
 * who holds them and until when, instead of reporting nothing to do.
 */
import type { ClaimFilter } from './syncState.js';
import type { Queryable } from './types.js';

export interface HeldMeter {
  prm: string;
  /** The lease owner, "<kind>:<host>:<pid>:<random>". */
  owner: string;
  /** When the lease runs out unless its holder renews it. */
  until: string;
}

/** Meters of the selection whose live lease belongs to an owner other than `self`. */
export async function metersHeldByOthers(
  q: Queryable,
  self: string,
  f: Pick<ClaimFilter, 'deviceIds' | 'buildingId'>,
): Promise<HeldMeter[]> {
  const params: unknown[] = [self];
  const cond = [
    `d.sync_enabled`,
    `d.status IN ('active', 'error')`,
    `d.lease_owner IS NOT NULL`,
    `d.lease_owner <> $1`,
    `d.lease_expires_at >= now()`,
  ];
  if (f.deviceIds) {
    params.push(f.deviceIds);
    cond.push(`d.id = ANY($${params.length}::uuid[])`);
  }
  if (f.buildingId) {
    params.push(f.buildingId);
    cond.push(`d.building_id = $${params.length}`);
  }
  const r = await q.query<{ prm: string; lease_owner: string; lease_expires_at: Date | string }>(
    `SELECT d.prm, d.lease_owner, d.lease_expires_at FROM linky_devices d
      WHERE ${cond.join(' AND ')} ORDER BY d.prm`,
    params,
  );
  return r.rows.map((x) => ({
    prm: x.prm,
    owner: x.lease_owner,
    until: new Date(x.lease_expires_at).toISOString(),
  }));
}
