/**
 * The euros of a monthly report: the month's bill estimate under the building's contract,
 * line by line, the peak that set the capacity charge and when it happened, and the kg
 * CO2e of the month. The month's highest quarter-hour demand is shown with or without a
 * capacity tariff (France has none; it still tells the subscribed power's headroom).
 */
import { periodEnd, periodStart } from '../analytics/periods.js';
import type { Config } from '../config.js';
import type { Queryable } from '../db/types.js';
import type { Bill } from '../tariffs/index.js';
import {
  billOf,
  carbonWithoutPlan,
  euros,
  pricingHistoryStart,
  pricingOf,
  pricingReadings,
} from './costs.js';
import type { BuildingSummary } from './deps.js';
import { measuredPeaks, monthPeaks, type PeakOrigin } from './peaks.js';

export interface ReportBillLine {
  kind: string;
  label: string;
  band: string | null;
  quantity: number;
  unit: string;
  unit_price: number;
  amount_eur: number;
  vat_percent: number | null;
}

export interface ReportBill {
  currency: 'EUR';
  plans: string[];
  lines: ReportBillLine[];
  excl_vat_eur: number;
  vat: { percent: number; base_eur: number; amount_eur: number }[];
  vat_eur: number;
  total_eur: number;
  /** Readings priced: a partial month is billed on what was read. */
  readings: number;
}

export interface ReportPeak {
  /** The month's highest quarter-hour average demand. */
  kw: number;
  at: string | null;
  source: PeakOrigin;
  /** Under a capacity tariff: the kW billed (the peak, at least the minimum, or the average). */
  billed_kw: number | null;
  mode: 'monthly-peak' | 'rolling-12-month-average' | null;
  capacity_eur: number | null;
}

export interface ReportMoney {
  bill: ReportBill | null;
  peak: ReportPeak | null;
  carbon: { kg_co2e: number; sources: string[] } | null;
}

function billJson(bill: Bill, plans: string[]): ReportBill {
  return {
    currency: 'EUR',
    plans,
    lines: bill.lines.map((l) => ({
      kind: l.kind,
      label: l.label,
      band: l.band,
      quantity: Number(l.quantity),
      unit: l.unit,
      unit_price: Number(l.unitPrice),
      amount_eur: euros(l.amountCents),
      vat_percent: l.vatPercent === null ? null : Number(l.vatPercent),
    })),
    excl_vat_eur: euros(bill.subtotalCents),
    vat: bill.vat.map((v) => ({
      percent: Number(v.percent),
      base_eur: euros(v.baseCents),
      amount_eur: euros(v.amountCents),
    })),
    vat_eur: euros(bill.vatCents),
    total_eur: euros(bill.totalCents),
    readings: bill.readings,
  };
}

/** The bill, peak and carbon of a building's month (electricity consumption). */
export async function reportMoney(
  q: Queryable,
  config: Pick<Config, 'tariffs' | 'configFile'>,
  building: BuildingSummary,
  month: string,
): Promise<ReportMoney> {
  const zone = building.timezone;
  const from = periodStart(month, zone);
  const to = periodEnd(month, zone);
  const pricing = await pricingOf(config, building);
  const first = pricing ? pricingHistoryStart(pricing, from, zone) : from;
  const readings = await pricingReadings(q, building.id, first, to);
  const measured = await measuredPeaks(q, building.id, zone, from, to);
  const peakRow = monthPeaks(readings, measured, zone, from, to).find((p) => p.month === month);
  const bill = pricing && billOf(pricing, readings, zone, from, to, measured);
  if (!pricing || !bill) {
    const carbon = carbonWithoutPlan(config, readings, zone, from, to);
    return {
      bill: null,
      peak: peakRow ? { ...peakOnly(peakRow), at: peakRow.at?.toISOString() ?? null } : null,
      carbon: carbon && carbonJson(carbon),
    };
  }
  const capacity = bill.peaks.find((p) => p.month === month);
  const capacityCents = bill.lines
    .filter((l) => l.kind === 'capacity')
    .reduce((s, l) => s + l.amountCents, 0);
  const peak: ReportPeak | null = peakRow
    ? {
        ...peakOnly(peakRow),
        at: peakRow.at?.toISOString() ?? null,
        billed_kw: capacity ? Number(capacity.billedKw) : null,
        mode: capacity?.mode ?? null,
        capacity_eur: capacity ? euros(capacityCents) : null,
      }
    : null;
  return { bill: billJson(bill, pricing.planNames), peak, carbon: carbonJson(bill.carbon) };
}

function peakOnly(p: { kw: number; source: PeakOrigin }) {
  return { kw: p.kw, source: p.source, billed_kw: null, mode: null, capacity_eur: null };
}

function carbonJson(c: Bill['carbon']) {
  return {
    kg_co2e: Number(c.kgCo2e),
    sources: c.factors.map((f) => `${f.country}: ${f.source}`),
  };
}
