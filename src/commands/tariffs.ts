/**
 * `tariffs simulate`: the same consumption priced under several plans, side by side, to
 * help choose a contract; `tariffs list`: the plans configured.
 *
 * Plans come from the `tariffs` section of the config file, or of the JSON file given to
 * --tariffs (a whole config file, or a file holding the section alone).
 */
import { Command } from 'commander';
import { DateTime } from 'luxon';
import { parseDateArg } from '../analytics/periods.js';
import { resolveBuilding } from '../db/buildings.js';
import { ConfigError, UsageError } from '../domain/errors.js';
import {
  loadTariffsFile,
  priceConsumption,
  type LoadedTariffs,
  type PriceConsumptionResult,
  type PricedPlan,
} from '../services/priceConsumption.js';
import type { LineKind } from '../tariffs/lines.js';
import { centsText } from '../tariffs/exact.js';
import { createColors } from '../ui/color.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { contextFrom, formatOption, outputFormat, withDatabase, type Context } from './context.js';
import { resolveRange } from './dateRange.js';

export interface SimulateOptions {
  plan: string[];
  from?: string;
  to?: string;
  building?: string;
  tariffs?: string;
}

/** The plans to work with: --tariffs FILE, else the config file's tariffs section. */
export async function loadPlans(ctx: Context, file: string | undefined): Promise<LoadedTariffs> {
  const source = file ?? ctx.config.configFile;
  if (!source)
    throw new ConfigError('no tariff plans: there is no config file', {
      hint: 'add a "tariffs" section to the config file, or give one with --tariffs FILE',
    });
  const loaded = await loadTariffsFile(source);
  if (Object.keys(loaded.tariffs.plans).length === 0)
    throw new ConfigError(`${source} has no tariff plans (tariffs.plans is empty)`, {
      hint: 'see "Costs and carbon" in the README for an example',
    });
  return loaded;
}

/** Prices the building's consumption under each plan asked for. */
export async function runTariffsSimulate(
  ctx: Context,
  opts: SimulateOptions,
  now: Date = new Date(),
): Promise<PriceConsumptionResult> {
  // Date syntax is checked before anything opens: a typo answers at once.
  for (const [flag, v] of [
    ['--from', opts.from],
    ['--to', opts.to],
  ] as const) {
    const d = v === undefined ? null : parseDateArg(v, ctx.config.defaults.timeZone);
    if (typeof d === 'string') throw new UsageError(`${flag}: ${d}`);
  }
  const loaded = await loadPlans(ctx, opts.tariffs);
  for (const name of opts.plan)
    if (!(name in loaded.tariffs.plans))
      throw new ConfigError(`no tariff plan "${name}"`, {
        hint: `configured plans: ${Object.keys(loaded.tariffs.plans).join(', ')}`,
      });
  return withDatabase(ctx, 'tariffs simulate', async (db) => {
    const building = await resolveBuilding(db, opts.building, ctx.config.defaults.building);
    const { from, to } = resolveRange(opts, building.timezone, now, 30);
    return priceConsumption(db, { building, loaded, planNames: opts.plan, from, to });
  });
}

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
function localText(d: Date, zone: string): string {
  return DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/** The plans a priced schedule used: "fluvius", or "contract (base, then hphc)". */
function planTitle(p: PricedPlan): string {
  if (p.name !== 'contract') return p.label ? `${p.name} — ${p.label}` : p.name;
  const names = [...new Set(p.bill.segments.map((s) => s.plan))];
  return `building contract (${names.join(', then ')})`;
}

function renderPlanDetail(p: PricedPlan, zone: string, color: boolean): string {
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

const CSV_KEYS: (keyof ComparisonRow)[] = [
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

export function makeTariffsCommand(): Command {
  const cmd = new Command('tariffs').description(
    'price consumption under tariff plans (France: base, HP/HC, Tempo; Belgium: single, bi-horaire, capacity)',
  );
  cmd
    .command('simulate')
    .description('the same consumption priced under several plans, side by side')
    .option(
      '--plan <name>',
      'a plan of tariffs.plans, repeatable (default: the building contract)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--from <date>', 'first day, YYYY-MM-DD (default: 30 days back)')
    .option('--to <date>', 'last day, YYYY-MM-DD, included (default: now)')
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--tariffs <file>', 'JSON file with the tariffs section (default: the config file)')
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: SimulateOptions & { format: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runTariffsSimulate(ctx, opts);
      writeResult({
        format,
        json: res,
        csv: { columns: CSV_KEYS.map((k) => ({ key: k, header: k })), rows: comparisonRows(res) },
        table: () => renderSimulation(res, ctx.color),
        stdout: ctx.out.stdout,
      });
    });
  cmd
    .command('list')
    .description('the tariff plans configured, with their versions')
    .option('--tariffs <file>', 'JSON file with the tariffs section (default: the config file)')
    .action(async (opts: { tariffs?: string }, c: Command) => {
      const ctx = contextFrom(c);
      const { tariffs } = await loadPlans(ctx, opts.tariffs);
      const rows = Object.entries(tariffs.plans).map(([name, p]) => ({
        plan: name,
        country: p.country,
        kind: p.kind,
        versions: p.versions
          .map((v) => v.validFrom)
          .sort()
          .join(', '),
        label: p.label ?? '',
      }));
      writeResult({
        format: outputFormat(ctx, undefined),
        json: tariffs,
        table: () =>
          renderTable({
            columns: [
              { key: 'plan', header: 'Plan' },
              { key: 'country', header: 'Country' },
              { key: 'kind', header: 'Kind' },
              { key: 'versions', header: 'Valid from' },
              { key: 'label', header: 'Label' },
            ],
            rows,
            color: ctx.color,
          }),
        stdout: ctx.out.stdout,
      });
    });
  return cmd;
}
