/**
 * The euros and carbon of `stats`: a table of each period's bill (kWh and € per tariff
 * band, VAT, total, comparisons in € and %) and kg CO2e; the CSV columns they add; the
 * one-line hint when no tariff is configured.
 */
import type { CostChange, StatsCarbon, StatsCosts } from '../services/statsCosts.js';
import type { StatsResult } from '../services/stats.js';
import { createColors } from './color.js';
import { formatNumber, formatPercent, wrapWords } from './format.js';
import { renderTable, type TableColumn } from './table.js';

export const NO_TARIFF_HINT =
  'no tariff for this building: add it under tariffs.buildings in the config file to see euros (see "Costs and carbon" in the README)';

/** `+12.30 € (+5.2%)`; `-` when the periods cannot be compared. */
export function formatCostChange(c: CostChange | null): string {
  if (!c) return '-';
  const sign = c.eur > 0 ? '+' : '';
  return `${sign}${formatNumber(c.eur, 2)} € (${formatPercent(c.percent)})`;
}

/** Every band any period has, in the order first met. */
function bandsOf(costs: StatsCosts): { band: string; label: string }[] {
  const seen = new Map<string, string>();
  for (const p of costs.periods)
    for (const b of p.bands) if (!seen.has(b.band)) seen.set(b.band, b.label);
  return [...seen].map(([band, label]) => ({ band, label }));
}

type CostRow = Record<string, string | number | null>;

export function renderStatsCosts(
  res: StatsResult,
  opts: { color: boolean; width: number },
): string {
  const paint = createColors(opts.color);
  const { costs, carbon } = res;
  if (!costs && !carbon) return '';
  const kg = new Map((carbon?.periods ?? []).map((p) => [p.period, p.kg_co2e]));
  const columns: TableColumn<CostRow>[] = [{ key: 'period', header: 'Period' }];
  const rows: CostRow[] = [];
  if (costs) {
    const bands = bandsOf(costs);
    for (const b of bands) {
      // Band codes (HP, HC, DAY, BLUE-HP…) keep the table narrow; the note names them.
      const code = b.band.toUpperCase();
      columns.push({ key: `${b.band}_kwh`, header: code, unit: 'kWh', decimals: 3 });
      columns.push({ key: `${b.band}_eur`, header: code, unit: '€', decimals: 2 });
    }
    columns.push(
      { key: 'total', header: 'Total', unit: '€', decimals: 2 },
      { key: 'previous', header: 'vs prev', align: 'right' },
      { key: 'year', header: 'vs last yr', align: 'right' },
    );
    for (const p of costs.periods) {
      const row: CostRow = {
        period: p.period,
        excl_vat: p.excl_vat_eur,
        total: p.eur,
        previous: formatCostChange(p.comparison.previous_period),
        year: formatCostChange(p.comparison.previous_year),
        co2: kg.get(p.period) ?? null,
      };
      for (const b of bands) {
        const got = p.bands.find((x) => x.band === b.band);
        row[`${b.band}_kwh`] = got?.kwh ?? null;
        row[`${b.band}_eur`] = got?.eur ?? null;
      }
      rows.push(row);
    }
  } else {
    for (const p of carbon?.periods ?? []) rows.push({ period: p.period, co2: p.kg_co2e });
  }
  if (carbon) columns.push({ key: 'co2', header: 'CO2e', unit: 'kg', decimals: 3 });
  const title = costs
    ? `Costs — contract ${costs.plans.join(', then ')} (VAT included unless said)`
    : 'Carbon';
  const lines = [paint.bold(title), renderTable({ columns, rows, color: opts.color })];
  if (costs) {
    const bands = bandsOf(costs).map((b) => `${b.band.toUpperCase()} ${b.label}`);
    lines.push(
      paint.dim(
        wrapWords(
          `bands: ${bands.join(', ')} (energy and network, excl. VAT); periods without readings are not billed`,
          opts.width,
        ),
      ),
    );
  }
  if (costs)
    lines.push(
      paint.dim(
        wrapWords(
          `Total ${formatNumber(costs.total_eur, 2)} € over the range; comparisons on amounts projected to whole periods`,
          opts.width,
        ),
      ),
    );
  if (carbon) lines.push(paint.dim(wrapWords(carbonNote(carbon), opts.width)));
  return lines.join('\n');
}

export function carbonNote(carbon: StatsCarbon): string {
  return `${formatNumber(carbon.total_kg_co2e, 3)} kg CO2e in all; factors: ${carbon.sources.join('; ')}`;
}

/** The cost and carbon columns `stats --format csv` adds: numbers, or empty cells. */
export function statsCostCsv(res: StatsResult): {
  keys: string[];
  rows: Map<string, Record<string, number | null>>;
} {
  const keys: string[] = [];
  const rows = new Map<string, Record<string, number | null>>();
  const row = (period: string) => {
    let r = rows.get(period);
    if (!r) rows.set(period, (r = {}));
    return r;
  };
  if (res.costs) {
    const bands = bandsOf(res.costs);
    keys.push(
      'cost_eur',
      'cost_excl_vat_eur',
      'cost_vat_eur',
      ...bands.flatMap((b) => [`${b.band}_kwh`, `${b.band}_eur`]),
      'cost_vs_previous_period_eur',
      'cost_vs_previous_period_percent',
      'cost_vs_previous_year_eur',
      'cost_vs_previous_year_percent',
    );
    for (const p of res.costs.periods) {
      const r = row(p.period);
      r.cost_eur = p.eur;
      r.cost_excl_vat_eur = p.excl_vat_eur;
      r.cost_vat_eur = p.vat_eur;
      for (const b of bands) {
        const got = p.bands.find((x) => x.band === b.band);
        r[`${b.band}_kwh`] = got?.kwh ?? null;
        r[`${b.band}_eur`] = got?.eur ?? null;
      }
      r.cost_vs_previous_period_eur = p.comparison.previous_period?.eur ?? null;
      r.cost_vs_previous_period_percent = p.comparison.previous_period?.percent ?? null;
      r.cost_vs_previous_year_eur = p.comparison.previous_year?.eur ?? null;
      r.cost_vs_previous_year_percent = p.comparison.previous_year?.percent ?? null;
    }
  }
  if (res.carbon) {
    keys.push('kg_co2e');
    for (const p of res.carbon.periods) row(p.period).kg_co2e = p.kg_co2e;
  }
  return { keys, rows };
}
