/**
 * Waiting for a place among the per-second calls every process of the application shares
 * through the database (provider_call_times), then marking the call answered.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { releaseCallSlot, takeCallSlot, type SlotLimit } from '../db/providerLimits.js';
import type { Database } from '../db/types.js';

/** Added to the provider's second by the shared window. */
export const SHARED_SECOND_GUARD_MS = 20;
/** A call in flight holds its place this long at most: past the longest provider timeout. */
export const SLOT_HOLD_MS = 120_000;
/** While every place is held by calls in flight (their answer frees them), look again this often. */
const IN_FLIGHT_POLL_MS = 20;

export async function waitForSharedSlot(
  db: Database,
  key: string,
  limit: SlotLimit,
  signal?: AbortSignal,
): Promise<() => Promise<void>> {
  for (;;) {
    signal?.throwIfAborted();
    const slot = await takeCallSlot(db, key, limit);
    if (slot.id !== null) {
      const id = slot.id;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await releaseCallSlot(db, id);
      };
    }
    // A place held by a call in flight shows as a wait of about holdMs: poll instead.
    const wait = slot.waitMs > limit.windowMs ? IN_FLIGHT_POLL_MS : slot.waitMs;
    await sleep(wait, undefined, { signal });
  }
}
