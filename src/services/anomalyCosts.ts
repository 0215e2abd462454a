/**
 * What an over-consumption cost: the kWh above the baseline, priced at the margin under the
 * building's contract (energy, network and taxes per kWh with VAT; no subscription, fixed
 * fee or capacity charge), each kWh at the time it was taken, so its band's price applies.
 *
 * The kWh above the baseline:
 * - a spike: every interval of the event, its reading minus the baseline, when positive;
 * - a raised night baseload: a constant extra load, so (night level − baseline) on every
 *   interval of the event, day and night.
 */
import type { Anomaly, IntervalValue } from '../analytics/anomalies.js';
import { marginalCost, type PricingReading } from '../tariffs/index.js';
import { euros, type BuildingPricing } from './costs.js';

export interface AnomalyCost {
  excess_kwh: number;
  /** null: no tariff for the building. */
  cost_eur: number | null;
}

/** The extra kWh of an anomaly, interval by interval, as readings to price. */
export function excessReadings(
  a: Anomaly,
  readings: readonly IntervalValue[],
  deviceRef: string,
): PricingReading[] {
  const from = a.start.getTime();
  const to = a.end.getTime();
  const out: PricingReading[] = [];
  for (const r of readings) {
    const t = r.timestamp.getTime();
    if (t < from || t >= to) continue;
    const extra = a.kind === 'night_baseload' ? a.value - a.baseline : r.value - a.baseline;
    if (extra > 0)
      out.push({
        start: r.timestamp,
        seconds: r.intervalSeconds,
        kwh: extra,
        metric: 'consumption',
        deviceRef,
      });
  }
  return out;
}

export function anomalyCost(
  a: Anomaly,
  readings: readonly IntervalValue[],
  deviceRef: string,
  pricing: BuildingPricing | null,
  zone: string,
): AnomalyCost {
  const extra = excessReadings(a, readings, deviceRef);
  const micro = extra.reduce((s, r) => s + Math.round(r.kwh * 1_000_000), 0);
  const excess_kwh = Math.round(micro / 1000) / 1000;
  if (!pricing || extra.length === 0) return { excess_kwh, cost_eur: pricing ? 0 : null };
  const bill = marginalCost({
    plans: pricing.loaded.tariffs.plans,
    schedule: pricing.schedule,
    zone,
    from: a.start,
    to: a.end,
    readings: extra,
    calendars: pricing.calendars,
    carbon: pricing.loaded.tariffs.carbon,
  });
  return { excess_kwh, cost_eur: euros(bill.totalCents) };
}
