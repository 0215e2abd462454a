import { describe, expect, it } from 'vitest';
import { createRateLimiter, rateLimiterFor } from '../../../src/providers/rateLimiter.js';
import { DEFAULT_PROVIDER_SETTINGS } from '../../../src/providers/settings.js';

/** A clock that only moves when every pending promise has settled and a timer is due. */
function fakeClock() {
  let t = 0;
  let timers: { at: number; resolve: () => void }[] = [];
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        const timer = { at: t + ms, resolve };
        timers.push(timer);
        signal?.addEventListener('abort', () => {
          timers = timers.filter((x) => x !== timer);
          reject(signal.reason);
        });
      });
    },
    /** Runs timers in time order until nothing is waiting (bounded). */
    async run(maxSteps = 10_000): Promise<void> {
      for (let i = 0; i < maxSteps; i++) {
        await settle();
        if (timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift() as { at: number; resolve: () => void };
        t = Math.max(t, next.at);
        next.resolve();
      }
      throw new Error('fake clock: too many steps');
    },
  };
}

/** Starts n acquires at once and returns the (fake) time each was let through. */
async function grantTimes(
  n: number,
  acquire: (i: number) => Promise<unknown>,
  clock: ReturnType<typeof fakeClock>,
) {
  const times: number[] = new Array<number>(n);
  const all = Promise.all(
    Array.from({ length: n }, (_, i) => acquire(i).then(() => void (times[i] = clock.now()))),
  );
  await clock.run();
  await all;
  return times;
}

function maxInAnyWindow(times: number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i] as number;
    max = Math.max(max, sorted.filter((x) => x >= s && x < s + spanMs).length);
  }
  return max;
}

describe('rate limiter', () => {
  it('lets exactly 5 calls through per second, without waiting longer than needed', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      perSecond: 5,
      now: clock.now,
      sleep: clock.sleep,
    });
    const times = await grantTimes(23, () => limiter.acquire(), clock);
    expect(maxInAnyWindow(times, 1000)).toBe(5);
    expect(times).toEqual([
      ...Array(5).fill(0),
      ...Array(5).fill(1000),
      ...Array(5).fill(2000),
      ...Array(5).fill(3000),
      4000,
      4000,
      4000,
    ]);
  });

  it('holds the hourly quota over a sliding hour', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      perSecond: 5,
      perHour: 10,
      now: clock.now,
      sleep: clock.sleep,
    });
    const times = await grantTimes(22, () => limiter.acquire(), clock);
    expect(maxInAnyWindow(times, 3_600_000)).toBe(10);
    expect(maxInAnyWindow(times, 1000)).toBe(5);
    expect(times.slice(8, 13)).toEqual([1000, 1000, 3_600_000, 3_600_000, 3_600_000]);
    expect(times.at(-1)).toBe(7_200_000);
  });

  it('spaces calls of one key by the minimum interval while other keys go on', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      minIntervalMs: 2000,
      now: clock.now,
      sleep: clock.sleep,
    });
    const keys = ['b1', 'b2', 'b1', 'b2', 'b1', 'b3'];
    const times = await grantTimes(keys.length, (i) => limiter.acquire(keys[i]), clock);
    expect(times).toEqual([0, 0, 2000, 2000, 4000, 0]);
  });

  it('combines the per-key interval with the per-second quota', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      perSecond: 2,
      minIntervalMs: 2000,
      now: clock.now,
      sleep: clock.sleep,
    });
    const keys = ['a', 'b', 'c', 'a'];
    const times = await grantTimes(keys.length, (i) => limiter.acquire(keys[i]), clock);
    expect(maxInAnyWindow(times, 1000)).toBe(2);
    expect(times).toEqual([0, 0, 1000, 2000]);
  });

  it('makes every caller wait after pauseUntil and reports when calls may resume', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      perSecond: 5,
      now: clock.now,
      sleep: clock.sleep,
    });
    expect(limiter.nextAllowedAt()).toBeNull();
    limiter.pauseUntil(new Date(30_000));
    expect(limiter.nextAllowedAt()?.getTime()).toBe(30_000);
    const times = await grantTimes(6, () => limiter.acquire(), clock);
    expect(times).toEqual([30_000, 30_000, 30_000, 30_000, 30_000, 31_000]);
    expect(limiter.nextAllowedAt()).toBeNull();
  });

  it('drops a cancelled waiter without blocking the ones behind it', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      perSecond: 1,
      now: clock.now,
      sleep: clock.sleep,
    });
    await limiter.acquire();
    const ctrl = new AbortController();
    const cancelled = limiter.acquire(undefined, ctrl.signal);
    const after = limiter.acquire();
    await new Promise<void>((r) => setImmediate(r));
    ctrl.abort(new Error('stop'));
    await expect(cancelled).rejects.toThrow('stop');
    await clock.run();
    await after;
    expect(clock.now()).toBe(1000);
  });
});

describe('rate limiter from provider settings', () => {
  it('applies the ORES per-building interval', async () => {
    const clock = fakeClock();
    const limiter = rateLimiterFor(DEFAULT_PROVIDER_SETTINGS.ores, {
      now: clock.now,
      sleep: clock.sleep,
    });
    const times = await grantTimes(
      3,
      () => limiter.acquire('building-1').then((release) => release()),
      clock,
    );
    expect(times).toEqual([0, 2000, 4000]);
  });
});

describe('window guard', () => {
  it('by default spaces the 6th call of a 5/s quota slightly more than a second after the 1st', async () => {
    let t = 0;
    const starts: number[] = [];
    const limiter = createRateLimiter({
      perSecond: 5,
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    });
    for (let i = 0; i < 6; i++) {
      await limiter.acquire();
      starts.push(t);
    }
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(starts[5]).toBeGreaterThan(1000);
    expect(starts[5]).toBeLessThanOrEqual(1100);
  });
});

describe('counting calls at their answer', () => {
  it('keeps any provider-side window under the quota whatever the latency', async () => {
    // Each call takes a latency drawn from 0–400 ms; the provider sees it arrive at a random
    // point of its flight. No 1-s window of arrivals may hold more than 5.
    const clock = fakeClock();
    const limiter = createRateLimiter({
      guard: false,
      countAtCompletion: true,
      perSecond: 5,
      now: clock.now,
      sleep: clock.sleep,
    });
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const arrivals: number[] = [];
    const call = async () => {
      const release = await limiter.acquire();
      const start = clock.now();
      const latency = Math.floor(rand() * 400);
      arrivals.push(start + Math.floor(rand() * latency));
      await clock.sleep(latency);
      release();
    };
    const all = Promise.all(Array.from({ length: 40 }, call));
    await clock.run();
    await all;
    expect(arrivals).toHaveLength(40);
    expect(maxInAnyWindow(arrivals, 1000)).toBeLessThanOrEqual(5);
    // Not much slower than the quota: 40 calls at 5/s with ≤ 400 ms latency.
    expect(clock.now()).toBeLessThan((40 / 5) * 1400);
  });

  it('holds a key busy until its call is answered', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({
      countAtCompletion: true,
      minIntervalMs: 2000,
      now: clock.now,
      sleep: clock.sleep,
    });
    const starts: number[] = [];
    const call = async () => {
      const release = await limiter.acquire('building-1');
      starts.push(clock.now());
      await clock.sleep(500);
      release();
    };
    const all = Promise.all([call(), call()]);
    await clock.run();
    await all;
    expect(starts[0]).toBe(0);
    expect(starts[1]).toBeGreaterThanOrEqual(2500);
  });
});
