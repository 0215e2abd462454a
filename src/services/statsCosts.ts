/**
 * Euros and carbon beside the kWh of `stats`: each period priced under the building's own
 * contract (tariffs.buildings), split by tariff band, compared with the previous period
 * and the same period a year earlier; kg CO2e per period, with or without a contract.
 *
 * Comparison rule, the same as the kWh one: each side's amount is projected to its whole
 * period (amount / coverage), and no comparison is made when either side covers less than
 * half its period. The € figure is the difference of the projected amounts, the % their
 * ratio. With complete periods that is the plain difference of the bills.
 */
import { MIN_COMPARABLE_COVERAGE, type StatsDataPoint } from '../analytics/stats.js';
import { periodEnd, periodStart, previousPeriod, sameLastYear } from '../analytics/periods.js';
import type { Config } from '../config.js';
import type { Queryable } from '../db/types.js';
import { bandLabel, type Bill, type PricingReading } from '../tariffs/index.js';
import {
  billOf,
  carbonWithoutPlan,
  euros,
  pricingHistoryStart,
  pricingOf,
  pricingReadings,
  type BuildingPricing,
} from './costs.js';
import type { BuildingSummary } from './deps.js';

export interface CostChange {
  /** Projected € difference, 2 decimals. */
  eur: number;
  /** Projected change in percent, 1 decimal. */
  percent: number;
}

export interface BandCost {
  band: string;
  label: string;
  kwh: number;
  /** Energy and network of the band (taxes are per kWh of every band), excl. VAT. */
  eur: number;
}

export interface PeriodCost {
  period: string;
  /** Total of the bill, VAT included. */
  eur: number;
  excl_vat_eur: number;
  vat_eur: number;
  bands: BandCost[];
  comparison: { previous_period: CostChange | null; previous_year: CostChange | null };
}

export interface StatsCosts {
  currency: 'EUR';
  /** The plans of the building's contract. */
  plans: string[];
  periods: PeriodCost[];
  /** Sum of the periods' totals. */
  total_eur: number;
}

export interface StatsCarbon {
  periods: { period: string; kg_co2e: number }[];
  total_kg_co2e: number;
  /** Where each factor comes from. */
  sources: string[];
}

export interface PeriodInput {
  /** The periods shown (their own bounds are cut to the range). */
  points: readonly StatsDataPoint[];
  /** The range's bounds. */
  from: Date;
  to: Date;
  zone: string;
  /** Coverage of every period known, the compared ones included. */
  coverage: ReadonlyMap<string, number>;
  device?: string;
}

const clip = (a: Date, b: Date, max: boolean) => (max ? (a > b ? a : b) : a < b ? a : b);

function bandCosts(bill: Bill): BandCost[] {
  return bill.bands.map((b) => ({
    band: b.band,
    label: bandLabel(b.band),
    kwh: Number(b.kwh),
    eur: euros(bill.lines.filter((l) => l.band === b.band).reduce((s, l) => s + l.amountCents, 0)),
  }));
}

function change(
  cents: number,
  coverage: number,
  ref: { cents: number; coverage: number } | undefined,
): CostChange | null {
  if (!ref || coverage < MIN_COMPARABLE_COVERAGE || ref.coverage < MIN_COMPARABLE_COVERAGE)
    return null;
  const cur = cents / coverage;
  const prev = ref.cents / ref.coverage;
  if (!(prev > 0)) return null;
  return {
    eur: Math.round(cur - prev) / 100,
    percent: Math.round((cur / prev - 1) * 1000) / 10,
  };
}

/** The stretch of a period inside the range: [max(start, from), min(end, to)). */
function stretch(label: string, input: PeriodInput): { from: Date; to: Date } {
  return {
    from: clip(periodStart(label, input.zone), input.from, true),
    to: clip(periodEnd(label, input.zone), input.to, false),
  };
}

function costsOf(
  p: BuildingPricing,
  readings: PricingReading[],
  input: PeriodInput,
): { costs: StatsCosts; billFor: (label: string, inRange: boolean) => Bill | null } {
  const bills = new Map<string, Bill | null>();
  // Bills by the stretch they cover: a period cut by the range and the same period whole (as
  // a compared one) are two bills; a whole period in the range is priced once.
  const billFor = (label: string, inRange: boolean) => {
    const s = inRange
      ? stretch(label, input)
      : { from: periodStart(label, input.zone), to: periodEnd(label, input.zone) };
    const key = `${s.from.getTime()}-${s.to.getTime()}`;
    let b = bills.get(key);
    if (b === undefined) {
      b = billOf(p, readings, input.zone, s.from, s.to);
      bills.set(key, b);
    }
    return b;
  };
  const compared = (label: string) => {
    const coverage = input.coverage.get(label);
    const bill = billFor(label, false);
    if (coverage === undefined || coverage === 0 || !bill) return undefined;
    return { cents: bill.totalCents, coverage };
  };
  const periods: PeriodCost[] = [];
  for (const pt of input.points) {
    // A period without a reading, or before the contract starts, has no bill to show.
    const bill = pt.count > 0 ? billFor(pt.period, true) : null;
    if (!bill) continue;
    periods.push({
      period: pt.period,
      eur: euros(bill.totalCents),
      excl_vat_eur: euros(bill.subtotalCents),
      vat_eur: euros(bill.vatCents),
      bands: bandCosts(bill),
      comparison: {
        previous_period: change(bill.totalCents, pt.coverage, compared(previousPeriod(pt.period))),
        previous_year: change(bill.totalCents, pt.coverage, compared(sameLastYear(pt.period))),
      },
    });
  }
  const totalCents = periods.reduce((s, p) => s + Math.round(p.eur * 100), 0);
  return {
    costs: { currency: 'EUR', plans: p.planNames, periods, total_eur: euros(totalCents) },
    billFor,
  };
}

function carbonOf(
  config: Pick<Config, 'tariffs'>,
  billFor: ((label: string, inRange: boolean) => Bill | null) | null,
  readings: PricingReading[],
  input: PeriodInput,
): StatsCarbon | null {
  const sources = new Set<string>();
  let grams = 0;
  const periods: StatsCarbon['periods'] = [];
  for (const pt of input.points) {
    const s = stretch(pt.period, input);
    // Before the contract starts, the grid of the building's zone gives the factor.
    const result =
      billFor?.(pt.period, true)?.carbon ??
      carbonWithoutPlan(config, readings, input.zone, s.from, s.to);
    if (!result) return null;
    for (const f of result.factors) sources.add(`${f.country}: ${f.source}`);
    const kg = Number(result.kgCo2e);
    grams += Math.round(kg * 1000);
    periods.push({ period: pt.period, kg_co2e: kg });
  }
  return { periods, total_kg_co2e: grams / 1000, sources: [...sources] };
}

/**
 * Costs (null: no contract for the building) and carbon (null: no known grid) of the
 * periods of an electricity consumption statistic.
 */
export async function statsCostsAndCarbon(
  q: Queryable,
  config: Pick<Config, 'tariffs' | 'configFile'>,
  building: BuildingSummary,
  input: PeriodInput & { lookbackFrom: Date },
): Promise<{ costs: StatsCosts | null; carbon: StatsCarbon | null }> {
  const pricing = await pricingOf(config, building);
  const first = pricing ? pricingHistoryStart(pricing, input.lookbackFrom, input.zone) : input.from;
  const readings = await pricingReadings(q, building.id, first, input.to, input.device);
  if (readings.length === 0 && !pricing) return { costs: null, carbon: null };
  const priced = pricing ? costsOf(pricing, readings, input) : null;
  return {
    costs: priced?.costs ?? null,
    carbon: carbonOf(config, priced?.billFor ?? null, readings, input),
  };
}
