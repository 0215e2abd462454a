/**
 * Carbon: kg CO2e of the electricity taken from the grid, from an intensity factor per
 * country (one yearly figure, one per month, or one per local hour of day).
 *
 * Default factors (configurable under tariffs.carbon):
 * - France: 32 g CO2e/kWh, the carbon intensity of French electricity production over 2023
 *   published by RTE in its "Bilan électrique 2023" (emissions chapter; the same series is
 *   eCO2mix's yearly average).
 * - Belgium: 167.49 g CO2/kWh, the AIB European Residual Mix 2023 factor for Belgium (as
 *   relayed by the Flemish regulator VREG): the mix of electricity sold without guarantees
 *   of origin, direct emissions only.
 * The two figures measure different things (production intensity vs residual mix): set the
 * factor your reporting method asks for.
 */
import { add, decimal, exact, mul, toFixed, ZERO, type Exact } from './exact.js';
import { toMicroKwh } from './accumulate.js';
import { LocalClock } from './localClock.js';
import type { CarbonFactor } from './schema.js';

export type Country = 'FR' | 'BE';

export const DEFAULT_CARBON_FACTORS: Record<Country, CarbonFactor> = {
  FR: { gramsPerKwh: '32', source: 'RTE, Bilan électrique 2023: 32 g CO2e/kWh produced' },
  BE: { gramsPerKwh: '167.49', source: 'AIB European Residual Mix 2023, Belgium: 167.49 g/kWh' },
};

/** Grid kWh of one country, in micro-kWh, by local month (0–11) and hour of day (0–23). */
export class CarbonBuckets {
  readonly byMonth = new Array<number>(12).fill(0);
  readonly byHour = new Array<number>(24).fill(0);
  total = 0;

  add(monthIndex: number, hour: number, microKwh: number): void {
    this.byMonth[monthIndex] = (this.byMonth[monthIndex] ?? 0) + microKwh;
    this.byHour[hour] = (this.byHour[hour] ?? 0) + microKwh;
    this.total += microKwh;
  }
}

/** Grams CO2e of the bucketed kWh under one factor, exactly. */
export function carbonGrams(buckets: CarbonBuckets, factor: CarbonFactor): Exact {
  const perKwh = (micro: number, g: string | number) =>
    mul(exact(BigInt(micro), 1_000_000n), decimal(g));
  if ('gramsPerKwh' in factor) return perKwh(buckets.total, factor.gramsPerKwh);
  const [micros, factors] =
    'monthly' in factor ? [buckets.byMonth, factor.monthly] : [buckets.byHour, factor.hourly];
  let g = ZERO;
  micros.forEach((m, i) => {
    if (m !== 0) g = add(g, perKwh(m, factors[i] as string | number));
  });
  return g;
}

export interface CarbonResult {
  /** kg CO2e, 3 decimals. */
  kgCo2e: string;
  /** Where each country's factor comes from. */
  factors: { country: Country; source: string }[];
}

export function carbonResult(
  buckets: ReadonlyMap<Country, CarbonBuckets>,
  factors: Partial<Record<Country, CarbonFactor>>,
): CarbonResult {
  let grams = ZERO;
  const used: { country: Country; source: string }[] = [];
  for (const [country, b] of buckets) {
    const f = factors[country] ?? DEFAULT_CARBON_FACTORS[country];
    grams = add(grams, carbonGrams(b, f));
    used.push({ country, source: f.source ?? 'configured (tariffs.carbon)' });
  }
  return { kgCo2e: toFixed(mul(grams, exact(1n, 1000n)), 3), factors: used };
}

/**
 * kg CO2e of consumption readings with no tariff plan to say the country: the country is
 * given (from the building's zone, see countryOfZone) and its factor configured or default.
 */
export function carbonOfReadings(
  readings: readonly { start: Date; kwh: number; metric: 'consumption' | 'production' }[],
  zone: string,
  country: Country,
  factors: Partial<Record<Country, CarbonFactor>>,
): CarbonResult {
  const clock = new LocalClock(zone);
  const b = new CarbonBuckets();
  for (const r of readings) {
    if (r.metric !== 'consumption') continue;
    const local = clock.local(r.start.getTime());
    b.add(Number(local.month.slice(5, 7)) - 1, local.hour, toMicroKwh(r.kwh));
  }
  return carbonResult(new Map([[country, b]]), factors);
}

/** The grid a building draws from, told by its time zone; null outside France and Belgium. */
export function countryOfZone(zone: string): Country | null {
  if (zone === 'Europe/Paris') return 'FR';
  if (zone === 'Europe/Brussels') return 'BE';
  return null;
}
