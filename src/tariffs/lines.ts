/**
 * Bill lines of one stretch under one plan version, exact (not yet rounded): energy and
 * network per band, taxes per kWh, subscription and fixed fees per month, the capacity
 * charge per month, the injection credit. Every line is quantity × unit price exactly.
 */
import { capacityKw, type MonthPeak } from './capacity.js';
import { decimal, div, exact, fromMicro, mul, neg, type Exact } from './exact.js';
import { EXCLUSIVE_NIGHT_BAND, PLAN_BANDS, type PlanVersion } from './schema.js';
import type { SegmentTotals } from './accumulate.js';
import { monthParts } from './segments.js';

export type LineKind =
  'energy' | 'network' | 'tax' | 'subscription' | 'fixed' | 'capacity' | 'injection';

export type LineUnit = 'kWh' | 'month' | 'kW·month';

export interface ExactLine {
  kind: LineKind;
  label: string;
  band: string | null;
  unit: LineUnit;
  quantity: Exact;
  unitPrice: Exact;
  amount: Exact;
  /** VAT rate in percent, or null when the line carries none (injection credit). */
  vatPercent: string | null;
}

export interface CapacityPeak {
  month: string;
  /** The month's highest quarter-hour demand in the stretch, kW (null: no readings). */
  peakKw: Exact | null;
  at: Date | null;
  source: MonthPeak['source'] | null;
  /** kW billed: the peak (at least the minimum) or the 12-month average. */
  billedKw: Exact;
  mode: 'monthly-peak' | 'rolling-12-month-average';
}

const BAND_LABELS: Record<string, string> = {
  base: 'base',
  hp: 'peak (HP)',
  hc: 'off-peak (HC)',
  single: 'single rate',
  day: 'day',
  night: 'night',
  [EXCLUSIVE_NIGHT_BAND]: 'exclusive night',
};

export function bandLabel(band: string): string {
  if (BAND_LABELS[band]) return BAND_LABELS[band];
  const [colour, hour] = band.split('-');
  return `Tempo ${colour} ${hour === 'hc' ? 'HC' : 'HP'}`;
}

function line(
  kind: LineKind,
  label: string,
  band: string | null,
  unit: LineUnit,
  quantity: Exact,
  unitPrice: Exact,
  vatPercent: string | null,
): ExactLine {
  return {
    kind,
    label,
    band,
    unit,
    quantity,
    unitPrice,
    amount: mul(quantity, unitPrice),
    vatPercent,
  };
}

function bandsOf(kind: keyof typeof PLAN_BANDS, v: PlanVersion): string[] {
  return v.exclusiveNight ? [...PLAN_BANDS[kind], EXCLUSIVE_NIGHT_BAND] : [...PLAN_BANDS[kind]];
}

function energyPrice(v: PlanVersion, band: string): Exact {
  if (band === EXCLUSIVE_NIGHT_BAND) return decimal(v.exclusiveNight?.energy ?? 0);
  return decimal(v.energy[band] ?? 0);
}

function networkPrice(v: PlanVersion, band: string): Exact | null {
  if (band === EXCLUSIVE_NIGHT_BAND && v.exclusiveNight?.network !== undefined)
    return decimal(v.exclusiveNight.network);
  if (v.network === undefined) return null;
  if (typeof v.network === 'object') {
    const p = v.network[band];
    return p === undefined ? null : decimal(p);
  }
  return decimal(v.network);
}

/** Energy and network per band, then taxes on the stretch's whole kWh. */
function kwhLines(t: SegmentTotals, vat: string): ExactLine[] {
  const { plan, version: v } = t.segment;
  const lines: ExactLine[] = [];
  let totalMicro = 0;
  for (const band of bandsOf(plan.kind, v)) {
    const micro = t.bands.get(band) ?? 0;
    totalMicro += micro;
    if (micro === 0) continue;
    const kwh = fromMicro(micro);
    const label = bandLabel(band);
    lines.push(line('energy', `Energy ${label}`, band, 'kWh', kwh, energyPrice(v, band), vat));
    const net = networkPrice(v, band);
    if (net) lines.push(line('network', `Network ${label}`, band, 'kWh', kwh, net, vat));
  }
  if (totalMicro > 0)
    for (const tax of v.taxes)
      lines.push(
        line('tax', tax.label, null, 'kWh', fromMicro(totalMicro), decimal(tax.perKwh), vat),
      );
  return lines;
}

/**
 * Per local month met by the stretch: subscription and fixed fees for the share of the
 * month's time it covers, and the capacity charge on that share.
 */
function monthlyLines(
  t: SegmentTotals,
  zone: string,
  history: ReadonlyMap<string, MonthPeak>,
  measured: ReadonlyMap<string, MonthPeak>,
  vat: string,
): { lines: ExactLine[]; peaks: CapacityPeak[] } {
  const v = t.segment.version;
  const lines: ExactLine[] = [];
  const peaks: CapacityPeak[] = [];
  const partPeaks = t.quarters.peaksByMonth(zone);
  for (const part of monthParts(t.segment.from, t.segment.to, zone)) {
    const share = exact(BigInt(part.to - part.from), BigInt(part.monthMs));
    if (v.subscription) {
      const price = v.subscription.perMonthByKva[String(v.subscription.kva)] ?? 0;
      const label = `Subscription ${v.subscription.kva} kVA`;
      lines.push(line('subscription', label, null, 'month', share, decimal(price), vat));
    }
    for (const fee of v.fixed)
      lines.push(line('fixed', fee.label, null, 'month', share, decimal(fee.perMonth), vat));
    if (!v.capacity) continue;
    const own = measured.get(part.month) ?? partPeaks.get(part.month);
    const kw = capacityKw(v.capacity.mode, part.month, own, history, v.capacity.minimumKw);
    const perKwMonth = div(decimal(v.capacity.perKwYear), exact(12n));
    const label = `Capacity ${part.month}`;
    lines.push(line('capacity', label, null, 'kW·month', mul(kw, share), perKwMonth, vat));
    peaks.push({
      month: part.month,
      peakKw: own ? fromMicro(own.microKw) : null,
      at: own?.at ?? null,
      source: own?.source ?? null,
      billedKw: kw,
      mode: v.capacity.mode,
    });
  }
  return { lines, peaks };
}

export function segmentLines(
  t: SegmentTotals,
  zone: string,
  history: ReadonlyMap<string, MonthPeak>,
  measured: ReadonlyMap<string, MonthPeak> = new Map(),
): { lines: ExactLine[]; peaks: CapacityPeak[] } {
  const v = t.segment.version;
  const vat = String(v.vatPercent);
  const monthly = monthlyLines(t, zone, history, measured, vat);
  const lines = [...kwhLines(t, vat), ...monthly.lines];
  if (v.injection && t.injection > 0) {
    const price = neg(decimal(v.injection.perKwh));
    const kwh = fromMicro(t.injection);
    lines.push(line('injection', 'Injection credit', null, 'kWh', kwh, price, null));
  }
  return { lines, peaks: monthly.peaks };
}
