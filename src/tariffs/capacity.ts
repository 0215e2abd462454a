/**
 * The Belgian capacity tariff's base: the highest quarter-hour average demand of a month.
 * A quarter-hour's average demand in kW is its energy in kWh × 4. Readings of 15 minutes or
 * less add up into their quarter-hour; a longer reading (a 30-minute load curve) is spread
 * evenly over its quarter-hours, which can only under-state the true peak: such peaks are
 * marked "estimated".
 */
import { DateTime } from 'luxon';
import { LocalClock } from './localClock.js';
import { add, decimal, div, exact, fromMicro, max, sum, type Exact } from './exact.js';

const QUARTER_MS = 900_000;

export type PeakSource = 'quarter-hour' | 'estimated' | 'meter';

export interface MonthPeak {
  /** Local month, YYYY-MM. */
  month: string;
  /** Highest quarter-hour average demand, micro-kW. */
  microKw: number;
  /** Start of that quarter-hour (UTC). */
  at: Date | null;
  source: PeakSource;
}

/** Quarter-hour energy of one stretch of time, keyed by quarter-hour start (ms). */
export class QuarterHours {
  private readonly energy = new Map<number, number>();
  private estimated = false;

  add(startMs: number, seconds: number, microKwh: number): void {
    const q0 = Math.floor(startMs / QUARTER_MS) * QUARTER_MS;
    const n = Math.max(1, Math.round(seconds / 900));
    if (n === 1) {
      this.energy.set(q0, (this.energy.get(q0) ?? 0) + microKwh);
      return;
    }
    this.estimated = true;
    const share = Math.floor(microKwh / n);
    for (let i = 0; i < n; i++) {
      const q = q0 + i * QUARTER_MS;
      const part = i === 0 ? microKwh - share * (n - 1) : share;
      this.energy.set(q, (this.energy.get(q) ?? 0) + part);
    }
  }

  /** The highest quarter-hour per local month. */
  peaksByMonth(zone: string): Map<string, MonthPeak> {
    const out = new Map<string, MonthPeak>();
    const clock = new LocalClock(zone);
    for (const [q, micro] of this.energy) {
      const month = clock.month(q);
      const microKw = micro * 4;
      const best = out.get(month);
      // Ties keep the earliest quarter-hour: that is when the peak was first reached.
      if (
        !best ||
        microKw > best.microKw ||
        (microKw === best.microKw && q < (best.at?.getTime() ?? 0))
      )
        out.set(month, {
          month,
          microKw,
          at: new Date(q),
          source: this.estimated ? 'estimated' : 'quarter-hour',
        });
    }
    return out;
  }
}

export type CapacityMode = 'monthly-peak' | 'rolling-12-month-average';

/** The kW a month is billed on: its peak, at least the minimum. */
export function billedKw(peak: MonthPeak | undefined, minimumKw: Exact): Exact {
  return max(peak ? fromMicro(peak.microKw) : exact(0n), minimumKw);
}

/** The 11 local months before `month`, oldest first. */
export function previousMonths(month: string, count = 11): string[] {
  const m = DateTime.fromFormat(month, 'yyyy-MM', { zone: 'UTC' });
  return Array.from({ length: count }, (_, i) =>
    m.minus({ months: count - i }).toFormat('yyyy-MM'),
  );
}

/**
 * The kW billed for `month`: its own peak (monthly-peak), or the average of the billed peaks
 * of that month and the 11 before it that have readings (rolling-12-month-average).
 */
export function capacityKw(
  mode: CapacityMode,
  month: string,
  current: MonthPeak | undefined,
  history: ReadonlyMap<string, MonthPeak>,
  minimumKw: string | number,
): Exact {
  const min = decimal(minimumKw);
  const own = billedKw(current, min);
  if (mode === 'monthly-peak') return own;
  const earlier = previousMonths(month)
    .map((m) => history.get(m))
    .filter((p): p is MonthPeak => p !== undefined)
    .map((p) => billedKw(p, min));
  return div(add(own, sum(earlier)), exact(BigInt(earlier.length + 1)));
}
