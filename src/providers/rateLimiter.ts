/**
 * In-process rate limiter for provider calls, shared by every sync of one provider.
 *
 * - per second and per hour: for the whole application (Enedis: 5/s and 1000/h). Both are
 *   sliding windows over the times calls were let through. A classic token bucket of
 *   capacity N refilled at N/s lets up to 2N−1 calls through within one second's span,
 *   which a provider counting per second would answer with 429s; a window never does.
 * - per key: a minimum interval between two calls with the same key (ORES: one call per
 *   2 s per building). Keys wait on their own, so a waiting building never holds up others.
 * - pauseUntil: after a 429 with nextAccessTime, every caller waits until then.
 *
 * Callers are served first come, first served. Clock and sleep can be injected for tests.
 *
 * With `countAtCompletion`, a call occupies its slot from when it is let through until its
 * answer arrives (the caller's release), and counts in the window from then: the provider
 * counts a call when it arrives, which is somewhere in between, so however slow the network
 * or the event loop, no window of the provider's can see one call too many.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { ProviderSettings } from './types.js';

export interface RateLimiterOptions {
  perSecond?: number;
  perHour?: number;
  /** Minimum ms between two calls with the same key. */
  minIntervalMs?: number;
  /** Current time (epoch ms or a Date). */
  now?: () => number | Date;
  /** Waits ms; should reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Widen the provider's windows by a small guard (default true; exact windows for tests). */
  guard?: boolean;
  /** Count a call at its release (its answer) rather than when it is let through. */
  countAtCompletion?: boolean;
}

/** Called once the call's answer has arrived (or it failed); a no-op unless countAtCompletion. */
export type Release = () => void;

export interface RateLimiter {
  /** Resolves when a call may be made now, and counts that call; release it when answered. */
  acquire(key?: string, signal?: AbortSignal): Promise<Release>;
  /** Makes every caller wait until the given time (e.g. a 429's nextAccessTime). */
  pauseUntil(date: Date): void;
  /** When the next keyless call would be allowed, or null when one may go now. */
  nextAllowedAt(): Date | null;
}

/** While every slot is held by a call in flight, look again this often. */
const IN_FLIGHT_POLL_MS = 20;

/** Guards added to the provider's windows (see createRateLimiter). */
export const SECOND_GUARD_MS = 50;
export const HOUR_GUARD_MS = 2_000;

/** Times of the calls let through, oldest first, within one span. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;
  /** Calls let through and not yet released (countAtCompletion). */
  inFlight = 0;
  constructor(
    private readonly limit: number,
    private readonly spanMs: number,
  ) {}

  /** Earliest time (≥ now) a call may go. */
  nextAt(now: number): number {
    this.prune(now);
    const completed = this.times.length - this.head;
    if (completed + this.inFlight < this.limit) return now;
    // How many of the recorded calls must leave the window first.
    const needed = completed + this.inFlight - this.limit + 1;
    if (needed > completed) return now + IN_FLIGHT_POLL_MS; // wait for an answer
    return (this.times[this.head + needed - 1] as number) + this.spanMs;
  }

  record(t: number): void {
    this.times.push(t);
  }

  private prune(now: number): void {
    while (
      this.head < this.times.length &&
      (this.times[this.head] as number) <= now - this.spanMs
    ) {
      this.head++;
    }
    // Compact now and then so a long-running daemon does not keep every call time.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** Runs functions one after another, in the order they were queued. */
function serial(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

function positive(n: number | undefined, name: string): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isFinite(n) || n <= 0)
    throw new RangeError(`${name} must be a positive number, got ${n}`);
  return n;
}

export function createRateLimiter(opts: RateLimiterOptions = {}): RateLimiter {
  const perSecond = positive(opts.perSecond, 'perSecond');
  const perHour = positive(opts.perHour, 'perHour');
  // 0 means no per-key interval.
  const minIntervalMs =
    opts.minIntervalMs === 0 ? 0 : (positive(opts.minIntervalMs, 'minIntervalMs') ?? 0);
  const clock = opts.now ?? (() => Date.now());
  const now = (): number => {
    const t = clock();
    return typeof t === 'number' ? t : t.getTime();
  };
  const sleep =
    opts.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, { signal }));

  const windows: SlidingWindow[] = [];
  // A call is counted here when it takes its slot, but by the provider when it arrives: the
  // few milliseconds between (an app-token fetch, scheduling jitter) could squeeze one call
  // too many into the provider's window. A small guard on each window keeps us under it.
  const guard = opts.guard !== false;
  if (perSecond !== undefined)
    windows.push(
      new SlidingWindow(Math.floor(perSecond) || 1, 1000 + (guard ? SECOND_GUARD_MS : 0)),
    );
  if (perHour !== undefined)
    windows.push(
      new SlidingWindow(Math.floor(perHour) || 1, 3_600_000 + (guard ? HOUR_GUARD_MS : 0)),
    );
  let pausedUntil = -Infinity;
  const global = serial();
  const keyQueues = new Map<string, { run: ReturnType<typeof serial>; waiting: number }>();
  const lastByKey = new Map<string, number>();
  const keysInFlight = new Set<string>();

  const globalNextAt = (t: number): number => {
    let at = Math.max(t, pausedUntil);
    for (const w of windows) at = Math.max(at, w.nextAt(t));
    return at;
  };

  async function waitUntil(at: () => number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const t = now();
      const target = at();
      if (target <= t) return;
      await sleep(target - t, signal);
    }
  }

  const atCompletion = opts.countAtCompletion === true;
  const NOOP: Release = () => {};

  function acquireGlobal(signal?: AbortSignal): Promise<Release> {
    return global(async () => {
      await waitUntil(() => globalNextAt(now()), signal);
      const t = now();
      if (!atCompletion) {
        for (const w of windows) w.record(t);
        return NOOP;
      }
      for (const w of windows) w.inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const end = now();
        for (const w of windows) {
          w.inFlight--;
          w.record(end);
        }
      };
    });
  }

  async function acquireForKey(key: string, signal?: AbortSignal): Promise<Release> {
    let q = keyQueues.get(key);
    if (!q) {
      q = { run: serial(), waiting: 0 };
      keyQueues.set(key, q);
    }
    const queue = q;
    queue.waiting++;
    try {
      return await queue.run(async () => {
        await waitUntil(
          () =>
            keysInFlight.has(key)
              ? now() + IN_FLIGHT_POLL_MS
              : (lastByKey.get(key) ?? -Infinity) + minIntervalMs,
          signal,
        );
        const releaseGlobal = await acquireGlobal(signal);
        // The interval runs from when the call was let through, or from its answer.
        lastByKey.set(key, now());
        if (!atCompletion) return releaseGlobal;
        keysInFlight.add(key);
        let released = false;
        return () => {
          if (released) return;
          released = true;
          releaseGlobal();
          keysInFlight.delete(key);
          lastByKey.set(key, now());
        };
      });
    } finally {
      queue.waiting--;
      if (queue.waiting === 0) keyQueues.delete(key);
    }
  }

  return {
    acquire(key?: string, signal?: AbortSignal): Promise<Release> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (key !== undefined && minIntervalMs > 0) return acquireForKey(key, signal);
      return acquireGlobal(signal);
    },
    pauseUntil(date: Date): void {
      const t = date.getTime();
      if (Number.isFinite(t)) pausedUntil = Math.max(pausedUntil, t);
    },
    nextAllowedAt(): Date | null {
      const t = now();
      const at = globalNextAt(t);
      return at > t ? new Date(at) : null;
    },
  };
}

/** The limiter a provider's settings ask for (`rateLimit.perDeviceIntervalMs` → per-key interval). */
export function rateLimiterFor(
  settings: Pick<ProviderSettings, 'rateLimit'>,
  clock: Pick<RateLimiterOptions, 'now' | 'sleep'> = {},
): RateLimiter {
  const { perSecond, perHour, perDeviceIntervalMs } = settings.rateLimit;
  return createRateLimiter({
    ...clock,
    countAtCompletion: true,
    ...(perSecond !== undefined ? { perSecond } : {}),
    ...(perHour !== undefined ? { perHour } : {}),
    ...(perDeviceIntervalMs !== undefined ? { minIntervalMs: perDeviceIntervalMs } : {}),
  });
}
