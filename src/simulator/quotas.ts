/**
 * Provider quotas. Enedis counts calls per API path for the whole application (per second
 * and per hour); ORES asks for one call per 2 s per meter. Quotas run on a monotonic clock,
 * not on the simulated date, so a test can freeze "today" and still see windows slide.
 */
export interface QuotaSettings {
  enedisPerSecond: number;
  enedisPerHour: number;
  oresMinIntervalMs: number;
}

export const DEFAULT_QUOTAS: QuotaSettings = {
  enedisPerSecond: 5,
  enedisPerHour: 1000,
  oresMinIntervalMs: 2000,
};

/** v5 APIs allowed ten times more calls per hour than the 2026 ones. */
const V5_HOURLY_MULTIPLIER = 10;

class SlidingWindow {
  private readonly times: number[] = [];
  private head = 0;
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Milliseconds until a call is allowed; 0 when allowed now. */
  waitMs(now: number): number {
    while (
      this.head < this.times.length &&
      (this.times[this.head] as number) <= now - this.windowMs
    ) {
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    if (this.times.length - this.head < this.limit) return 0;
    const oldest = this.times[this.times.length - this.limit] as number;
    return Math.max(1, oldest + this.windowMs - now);
  }

  record(now: number): void {
    this.times.push(now);
  }
}

export class Quotas {
  private readonly enedis = new Map<string, [SlidingWindow, SlidingWindow]>();
  private readonly oresLast = new Map<string, number>();

  constructor(
    private readonly settings: QuotaSettings,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Takes one Enedis call on `path`; returns the wait in ms when over quota (call not counted). */
  takeEnedis(path: string): number {
    return this.takeEnedisQuota(path).waitMs;
  }

  /** Like takeEnedis, also naming the quota that refused: per second (Q3) or hourly (Q4). */
  takeEnedisQuota(path: string): { waitMs: number; scope: 'second' | 'hour' } {
    let windows = this.enedis.get(path);
    if (!windows) {
      const perHour = path.includes('/v5/')
        ? this.settings.enedisPerHour * V5_HOURLY_MULTIPLIER
        : this.settings.enedisPerHour;
      windows = [
        new SlidingWindow(this.settings.enedisPerSecond, 1000),
        new SlidingWindow(perHour, 3_600_000),
      ];
      this.enedis.set(path, windows);
    }
    const now = this.clock();
    const hourWait = windows[1].waitMs(now);
    if (hourWait > 0) return { waitMs: hourWait, scope: 'hour' };
    const secondWait = windows[0].waitMs(now);
    if (secondWait > 0) return { waitMs: secondWait, scope: 'second' };
    windows[0].record(now);
    windows[1].record(now);
    return { waitMs: 0, scope: 'second' };
  }

  /** Takes one ORES call for a meter; returns the wait in ms when too soon (call not counted). */
  takeOres(prm: string): number {
    const now = this.clock();
    const last = this.oresLast.get(prm);
    if (last !== undefined && now - last < this.settings.oresMinIntervalMs) {
      return Math.max(1, last + this.settings.oresMinIntervalMs - now);
    }
    this.oresLast.set(prm, now);
    return 0;
  }
}
