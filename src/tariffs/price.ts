/**
 * Prices a period of interval readings under a schedule of tariff plans.
 *
 * Rounding rule: amounts stay exact (fractions) through every stretch and month; lines with
 * the same label and unit price are merged; then each merged line is rounded to the cent
 * once (halves away from zero). The subtotal is the sum of the rounded lines; VAT is, per
 * rate, the rate times the sum of the rounded lines that carry it, rounded once; the total
 * is subtotal + VAT. So the lines printed always add up to the total printed.
 */
import { accumulate, toMicroKwh, type PricingReading } from './accumulate.js';
import type { MonthPeak } from './capacity.js';
import { carbonResult, type CarbonResult, type Country } from './carbon.js';
import {
  add,
  centsText,
  decimal,
  exact,
  fromMicro,
  mul,
  roundToCents,
  toDecimalString,
  toFixed,
  ZERO,
  type Exact,
} from './exact.js';
import {
  segmentLines,
  type CapacityPeak,
  type ExactLine,
  type LineKind,
  type LineUnit,
} from './lines.js';
import { EXCLUSIVE_NIGHT_BAND, PLAN_BANDS, type CarbonFactor, type TariffPlan } from './schema.js';
import { segmentsOf, type ScheduleEntry } from './segments.js';
import type { TempoCalendar } from './tempoCalendar.js';

export type { PricingReading } from './accumulate.js';

export interface PriceRequest {
  plans: Readonly<Record<string, TariffPlan>>;
  /** Which plan prices which dates (local days); see singlePlanSchedule for one plan. */
  schedule: readonly ScheduleEntry[];
  zone: string;
  from: Date;
  to: Date;
  /**
   * Readings, in any order. Consumption before `from` only feeds the capacity tariff's
   * 12-month history; pass the 11 months before `from` for rolling-12-month-average plans.
   */
  readings: readonly PricingReading[];
  /** Tempo calendars by plan name. */
  calendars?: Readonly<Record<string, TempoCalendar>>;
  carbon?: Partial<Record<Country, CarbonFactor>>;
  /**
   * Monthly peaks a meter measured itself (P1 `1-0:1.6.0`, the month's highest quarter-hour
   * demand): they replace the peaks computed from readings for their months.
   */
  measuredPeaks?: readonly { month: string; kw: number; at: Date | null }[];
}

export interface ExactBill {
  lines: ExactLine[];
  peaks: CapacityPeak[];
  /** Consumption per band, micro-kWh, every band of the plans in force. */
  bands: Map<string, number>;
  injectionMicroKwh: number;
  carbon: CarbonResult;
  readings: number;
  segments: { from: Date; to: Date; plan: string; validFrom: string }[];
}

export function priceExact(req: PriceRequest): ExactBill {
  const from = req.from.getTime();
  const to = req.to.getTime();
  const segments = segmentsOf(req.schedule, req.plans, req.zone, from, to);
  const sorted = [...req.readings].sort((a, b) => a.start.getTime() - b.start.getTime());
  const acc = accumulate(segments, sorted, req.zone, req.calendars ?? {});
  const measured = new Map<string, MonthPeak>(
    (req.measuredPeaks ?? []).map((p) => [
      p.month,
      { month: p.month, microKw: toMicroKwh(p.kw), at: p.at, source: 'meter' },
    ]),
  );
  const history = new Map([...acc.allQuarters.peaksByMonth(req.zone), ...measured]);
  const merged = new Map<string, ExactLine>();
  const peaks: CapacityPeak[] = [];
  const bands = new Map<string, number>();
  let injection = 0;
  let readings = 0;
  for (const t of acc.segments) {
    const { plan, version } = t.segment;
    for (const b of PLAN_BANDS[plan.kind]) bands.set(b, bands.get(b) ?? 0);
    if (version.exclusiveNight)
      bands.set(EXCLUSIVE_NIGHT_BAND, bands.get(EXCLUSIVE_NIGHT_BAND) ?? 0);
    for (const [b, micro] of t.bands) bands.set(b, (bands.get(b) ?? 0) + micro);
    injection += t.injection;
    readings += t.readings;
    const out = segmentLines(t, req.zone, history, measured);
    peaks.push(...out.peaks);
    for (const l of out.lines) {
      const key = [l.kind, l.label, l.unit, toDecimalString(l.unitPrice, 12), l.vatPercent].join(
        '|',
      );
      const m = merged.get(key);
      merged.set(
        key,
        m ? { ...m, quantity: add(m.quantity, l.quantity), amount: add(m.amount, l.amount) } : l,
      );
    }
  }
  return {
    lines: [...merged.values()],
    peaks,
    bands,
    injectionMicroKwh: injection,
    carbon: carbonResult(acc.carbon, req.carbon ?? {}),
    readings,
    segments: segments.map((s) => ({
      from: new Date(s.from),
      to: new Date(Math.min(s.to, to)),
      plan: s.planName,
      validFrom: s.version.validFrom,
    })),
  };
}

export interface BillLine {
  kind: LineKind;
  label: string;
  band: string | null;
  unit: LineUnit;
  /** Quantity as a decimal string (kWh to 0.001, months and kW·month to 0.0001). */
  quantity: string;
  /** € per unit, as given (up to 6 decimals, capacity per kW·month up to 8). */
  unitPrice: string;
  amountCents: number;
  amount: string;
  vatPercent: string | null;
}

export interface Bill {
  from: Date;
  to: Date;
  segments: ExactBill['segments'];
  lines: BillLine[];
  subtotalCents: number;
  vat: { percent: string; baseCents: number; amountCents: number }[];
  vatCents: number;
  totalCents: number;
  subtotal: string;
  vatAmount: string;
  total: string;
  bands: { band: string; kwh: string }[];
  consumptionKwh: string;
  injectionKwh: string;
  peaks: {
    month: string;
    peakKw: string | null;
    at: Date | null;
    source: CapacityPeak['source'];
    billedKw: string;
    mode: CapacityPeak['mode'];
  }[];
  carbon: CarbonResult;
  readings: number;
}

const kwhText = (micro: number) => toFixed(fromMicro(micro), 3);

export function roundBill(x: ExactBill, from: Date, to: Date): Bill {
  const lines = x.lines.map((l) => {
    const cents = roundToCents(l.amount);
    return {
      kind: l.kind,
      label: l.label,
      band: l.band,
      unit: l.unit,
      quantity: toFixed(l.quantity, l.unit === 'kWh' ? 3 : 4),
      unitPrice: toDecimalString(l.unitPrice, 8),
      amountCents: cents,
      amount: centsText(cents),
      vatPercent: l.vatPercent,
    };
  });
  const bases = new Map<string, number>();
  for (const l of lines)
    if (l.vatPercent !== null)
      bases.set(l.vatPercent, (bases.get(l.vatPercent) ?? 0) + l.amountCents);
  const vat = [...bases].map(([percent, baseCents]) => ({
    percent,
    baseCents,
    amountCents: roundToCents(
      mul(exact(BigInt(baseCents), 100n), mul(decimal(percent), exact(1n, 100n))),
    ),
  }));
  const subtotalCents = lines.reduce((s, l) => s + l.amountCents, 0);
  const vatCents = vat.reduce((s, v) => s + v.amountCents, 0);
  let consumption = 0;
  for (const micro of x.bands.values()) consumption += micro;
  return {
    from,
    to,
    segments: x.segments,
    lines,
    subtotalCents,
    vat,
    vatCents,
    totalCents: subtotalCents + vatCents,
    subtotal: centsText(subtotalCents),
    vatAmount: centsText(vatCents),
    total: centsText(subtotalCents + vatCents),
    bands: [...x.bands].map(([band, micro]) => ({ band, kwh: kwhText(micro) })),
    consumptionKwh: kwhText(consumption),
    injectionKwh: kwhText(x.injectionMicroKwh),
    peaks: x.peaks.map((p) => ({
      month: p.month,
      peakKw: p.peakKw ? toFixed(p.peakKw, 3) : null,
      at: p.at,
      source: p.source,
      billedKw: toFixed(p.billedKw, 3),
      mode: p.mode,
    })),
    carbon: x.carbon,
    readings: x.readings,
  };
}

/** Prices a period: exact lines, rounded once per line (see the rule above). */
export function priceBill(req: PriceRequest): Bill {
  return roundBill(priceExact(req), req.from, req.to);
}

/** Sum of exact line amounts (before any rounding), for checks and comparisons. */
export function exactTotal(lines: readonly ExactLine[]): Exact {
  return lines.reduce((s, l) => add(s, l.amount), ZERO);
}

/** Kinds of line that grow with each kWh taken: what extra consumption costs. */
const PER_KWH_KINDS: readonly LineKind[] = ['energy', 'network', 'tax'];

/**
 * What some consumption costs at the margin: its energy, network and tax lines with VAT,
 * without the subscription, fixed fees or capacity charge (an over-consumption's cost, for
 * anomalies). `readings` are the extra kWh, placed at the times they were taken.
 */
export function marginalCost(req: PriceRequest): Bill {
  const x = priceExact(req);
  return roundBill(
    { ...x, lines: x.lines.filter((l) => PER_KWH_KINDS.includes(l.kind)), peaks: [] },
    req.from,
    req.to,
  );
}
