/**
 * Monthly capacity peaks of a series of readings, outside any plan: what `stats --peak` and
 * `report` show, and where a P1 meter's own `1.6.0` register is missing.
 */
import type { PricingReading } from './accumulate.js';
import { toMicroKwh } from './accumulate.js';
import { QuarterHours, type PeakSource } from './capacity.js';
import { fromMicro, toFixed } from './exact.js';

export interface MonthlyPeak {
  month: string;
  /** kW, 3 decimals. */
  peakKw: string;
  at: Date | null;
  source: PeakSource;
}

/** The highest quarter-hour average demand of each local month, oldest first. */
export function monthlyPeaks(readings: readonly PricingReading[], zone: string): MonthlyPeak[] {
  const q = new QuarterHours();
  for (const r of readings)
    if (r.metric === 'consumption') q.add(r.start.getTime(), r.seconds, toMicroKwh(r.kwh));
  return [...q.peaksByMonth(zone).values()]
    .sort((a, b) => a.month.localeCompare(b.month))
    .map((p) => ({
      month: p.month,
      peakKw: toFixed(fromMicro(p.microKw), 3),
      at: p.at,
      source: p.source,
    }));
}
