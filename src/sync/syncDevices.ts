/**
 * Sync of many devices: a few workers (sync.concurrency) each claim a device lease, sync it,
 * release it, and claim the next, until none is left. Leases keep other processes off the
 * device meanwhile; the provider quotas are shared through each provider's one limiter.
 */
import os from 'node:os';
import {
  releaseAllLeases,
  releaseLease,
  claimNextDevice,
  liveLeaseOwners,
  type ClaimFilter,
} from '../db/syncState.js';
import type { Queryable } from '../db/types.js';
import { findProvider } from '../providers/registry.js';
import { syncDevice, type DeviceSyncOptions, type DeviceSyncResult } from './syncDevice.js';
import type { SyncEnv } from './syncEnv.js';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Frees the leases of processes of this host that are gone (kill -9, crash): otherwise their
 * devices would wait for the lease to expire (15 minutes by default) before the next sync
 * could take them. Owners are "<kind>:<host>:<pid>:<random>" (newOwnerId).
 */
export async function releaseDeadOwnersLeases(q: Queryable): Promise<string[]> {
  const host = os.hostname();
  const dead: string[] = [];
  for (const owner of await liveLeaseOwners(q)) {
    const parts = owner.split(':');
    if (parts.length < 4) continue;
    const pid = Number(parts[parts.length - 2]);
    if (
      parts.slice(1, -2).join(':') !== host ||
      !Number.isInteger(pid) ||
      pid <= 0 ||
      pid === process.pid
    )
      continue;
    if (processAlive(pid)) continue;
    await releaseAllLeases(q, owner);
    dead.push(owner);
  }
  return dead;
}

export async function syncDevices(
  env: SyncEnv,
  filter: ClaimFilter,
  opts: DeviceSyncOptions = {},
): Promise<DeviceSyncResult[]> {
  const freed = await releaseDeadOwnersLeases(env.db);
  if (freed.length > 0)
    env.log.info('took over the meters of a stopped process', { owners: freed });
  const results: DeviceSyncResult[] = [];
  const handled: string[] = [...(filter.exclude ?? [])];
  const worker = async () => {
    for (;;) {
      if (env.signal?.aborted) return;
      const device = await claimNextDevice(env.db, env.owner, env.config.sync.leaseSeconds, {
        ...filter,
        exclude: handled,
      });
      if (!device) return;
      handled.push(device.id);
      try {
        const entry = findProvider(device.provider);
        // A meter that pushes its readings (P1) is fed by its listener, not by windows; a
        // provider this version does not know (a newer one wrote the row) is left alone.
        if (entry?.capabilities.flow === 'pull') results.push(await syncDevice(env, device, opts));
        else if (!entry)
          env.log.warn('meter of an unknown provider skipped', {
            prm: device.prm,
            provider: device.provider,
          });
      } finally {
        await releaseLease(env.db, device.id, env.owner).catch(() => {});
      }
    }
  };
  await Promise.all(Array.from({ length: env.config.sync.concurrency }, () => worker()));
  return results;
}
