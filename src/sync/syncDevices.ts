/**
 * Sync of many devices: a few workers (sync.concurrency) each claim a device lease, sync it,
 * release it, and claim the next, until none is left. Leases keep other processes off the
 * device meanwhile; the provider quotas are shared through each provider's one limiter.
 */
import { releaseLease, claimNextDevice, type ClaimFilter } from '../db/syncState.js';
import { syncDevice, type DeviceSyncOptions, type DeviceSyncResult } from './syncDevice.js';
import type { SyncEnv } from './syncEnv.js';

export async function syncDevices(env: SyncEnv, filter: ClaimFilter, opts: DeviceSyncOptions = {}): Promise<DeviceSyncResult[]> {
  const results: DeviceSyncResult[] = [];
  const handled: string[] = [...(filter.exclude ?? [])];
  const worker = async () => {
    for (;;) {
      if (env.signal?.aborted) return;
      const device = await claimNextDevice(env.db, env.owner, env.config.sync.leaseSeconds, { ...filter, exclude: handled });
      if (!device) return;
      handled.push(device.id);
      try {
        results.push(await syncDevice(env, device, opts));
      } finally {
        await releaseLease(env.db, device.id, env.owner).catch(() => {});
      }
    }
  };
  await Promise.all(Array.from({ length: env.config.sync.concurrency }, () => worker()));
  return results;
}
