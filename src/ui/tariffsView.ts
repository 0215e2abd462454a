/**
 * Priced plans on a terminal: the side-by-side comparison of `tariffs simulate`, each plan's
 * bill by line with its capacity peaks, the CSV rows, and the list of configured plans.
 */
import { DateTime } from 'luxon';
import type { PriceConsumptionResult, PricedPlan } from '../services/priceConsumption.js';
import { centsText, type LineKind, type TariffPlans } from '../tariffs/index.js';
import { createColors } from './color.js';
import { renderTable } from './table.js';

const GROUPS: { key: string; header: string; kinds: LineKind[] }[] = [
  { key: 'energy', header: 'Energy', kinds: ['energy'] },
  { key: 'network', header: 'Network', kinds: ['network'] },
  { key: 'taxes', header: 'Taxes', kinds: ['tax'] },
  { key: 'fixed', header: 'Fixed', kinds: ['subscription', 'fixed'] },
  { key: 'capacity', header: 'Capacity', kinds: ['capacity'] },
  { key: 'injection', header: 'Injection', kinds: ['injection'] },
];

export interface ComparisonRow {
  plan: string;
  kwh: string;
  energy: string;
  network: string;
  taxes: string;
  fixed: string;
  capacity: string;
  injection: string;
  excl_vat: string;
  vat: string;
  total: string;
  vs_cheapest: string;
  kg_co2e: string;
}

/** One row per plan: amounts per kind of line, totals, and the gap to the cheapest. */
export function comparisonRows(res: PriceConsumptionResult): ComparisonRow[] {
  const cheapest = Math.min(...res.plans.map((p) => p.bill.totalCents));
  return res.plans.map((p: PricedPlan) => {
    const b = p.bill;
    const group = (kinds: LineKind[]) =>
      centsText(
        b.lines.filter((l) => kinds.includes(l.kind)).reduce((s, l) => s + l.amountCents, 0),
      );
    const gap = b.totalCents - cheapest;
    const pct = cheapest > 0 ? ` (+${((gap / cheapest) * 100).toFixed(1)} %)` : '';
    const row = {
      plan: p.name,
      kwh: b.consumptionKwh,
      excl_vat: b.subtotal,
      vat: b.vatAmount,
      total: b.total,
      vs_cheapest: gap === 0 ? 'cheapest' : `+${centsText(gap)}${pct}`,
      kg_co2e: b.carbon.kgCo2e,
    } as ComparisonRow;
    for (const g of GROUPS) (row as unknown as Record<string, string>)[g.key] = group(g.kinds);
    return row;
  });
}

/** An instant as the building's wall clock: 2026-09-10 18:00. */
export function localText(d: Date, zone: string): string {
  return DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** The plans a priced schedule used: "fluvius", or "contract (base, then hphc)". */
function planTitle(p: PricedPlan): string {
  if (p.name !== 'contract') return p.label ? `${p.name} — ${p.label}` : p.name;
  const names = [...new Set(p.bill.segments.map((s) => s.plan))];
  return `building contract (${names.join(', then ')})`;
}

export function renderPlanDetail(p: PricedPlan, zone: string, color: boolean): string {
  const paint = createColors(color);
  const rows = p.bill.lines.map((l) => ({
    line: l.label,
    quantity: `${l.quantity} ${l.unit}`,
    unitPrice: l.unitPrice,
    amount: l.amount,
  }));
  rows.push({ line: 'Subtotal excl. VAT', quantity: '', unitPrice: '', amount: p.bill.subtotal });
  for (const v of p.bill.vat)
    rows.push({
      line: `VAT ${v.percent} %`,
      quantity: '',
      unitPrice: '',
      amount: centsText(v.amountCents),
    });
  rows.push({ line: 'Total', quantity: '', unitPrice: '', amount: p.bill.total });
  const out = [
    paint.bold(planTitle(p)),
    renderTable({
      columns: [
        { key: 'line', header: 'Line' },
        { key: 'quantity', header: 'Quantity', align: 'right' },
        { key: 'unitPrice', header: 'Unit price', unit: '€', align: 'right' },
        { key: 'amount', header: 'Amount', unit: '€', align: 'right' },
      ],
      rows,
      color,
    }),
  ];
  for (const k of p.bill.peaks)
    out.push(
      paint.dim(
        `capacity ${k.month}: peak ${k.peakKw ?? '-'} kW${k.at ? ` at ${localText(k.at, zone)}` : ''}` +
          `${k.source === 'estimated' ? ' (estimated from intervals longer than 15 min)' : ''}, billed ${k.billedKw} kW (${k.mode})`,
      ),
    );
  return out.join('\n');
}

export function renderSimulation(res: PriceConsumptionResult, color: boolean): string {
  const paint = createColors(color);
  const rows = comparisonRows(res);
  const zone = res.building.timezone;
  const money = (key: keyof ComparisonRow, header: string) => ({
    key,
    header,
    unit: '€',
    align: 'right' as const,
  });
  const table = renderTable<ComparisonRow>({
    columns: [
      { key: 'plan', header: 'Plan' },
      { key: 'kwh', header: 'Consumption', unit: 'kWh', align: 'right' },
      // Kinds of line no plan has (no network line, no capacity…) would only be zeros.
      ...GROUPS.filter((g) => rows.some((r) => r[g.key as keyof ComparisonRow] !== '0.00')).map(
        (g) => money(g.key as keyof ComparisonRow, g.header),
      ),
      money('excl_vat', 'Excl. VAT'),
      money('vat', 'VAT'),
      money('total', 'Total'),
      { key: 'vs_cheapest', header: 'vs cheapest', align: 'right' },
      { key: 'kg_co2e', header: 'CO2e', unit: 'kg', align: 'right' },
    ],
    rows,
    color,
  });
  const head = paint.bold(
    `Tariff simulation — ${res.building.name} (${res.building.timezone}), ` +
      `${localText(res.from, zone)} to ${localText(res.to, zone)}`,
  );
  const readings = res.plans[0]?.bill.readings ?? 0;
  return [
    head,
    table,
    paint.dim(`${readings} readings priced; amounts rounded to the cent once per line`),
    ...res.plans.map((p) => `\n${renderPlanDetail(p, res.building.timezone, color)}`),
  ].join('\n');
}

export const SIMULATION_CSV_KEYS: (keyof ComparisonRow)[] = [
  'plan',
  'kwh',
  'energy',
  'network',
  'taxes',
  'fixed',
  'capacity',
  'injection',
  'excl_vat',
  'vat',
  'total',
  'vs_cheapest',
  'kg_co2e',
];

/** `tariffs list`: one row per plan. */
export function planListRows(tariffs: TariffPlans) {
  return Object.entries(tariffs.plans).map(([name, p]) => ({
    plan: name,
    country: p.country,
    kind: p.kind,
    versions: p.versions
      .map((v) => v.validFrom)
      .sort()
      .join(', '),
    label: p.label ?? '',
  }));
}

export function renderPlanList(tariffs: TariffPlans, color: boolean): string {
  return renderTable({
    columns: [
      { key: 'plan', header: 'Plan' },
      { key: 'country', header: 'Country' },
      { key: 'kind', header: 'Kind' },
      { key: 'versions', header: 'Valid from' },
      { key: 'label', header: 'Label' },
    ],
    rows: planListRows(tariffs),
    color,
  });
}
