/**
 * `stats --compare` (buildings ranked by kWh/m²/year, € per unit, coverage, drift) and
 * `stats --peak` (each month's highest quarter-hour demand and its capacity charge).
 */
import { DateTime } from 'luxon';
import type { CompareResult, CompareRow } from '../services/statsCompare.js';
import type { MonthPeakRow, PeakStats } from '../services/statsPeaks.js';
import { createColors } from './color.js';
import { formatPercent } from './format.js';
import { formatCoverage } from './statsView.js';
import { renderTable } from './table.js';

export function renderCompare(res: CompareResult, opts: { color: boolean; width: number }): string {
  const paint = createColors(opts.color);
  const rows = res.buildings.map((r: CompareRow) => ({
    rank: r.rank === null ? '-' : String(r.rank),
    building: r.building.name,
    surface: r.surface_m2,
    units: r.units,
    kwh: r.kwh,
    coverage:
      r.coverage < 1 ? paint.yellow(formatCoverage(r.coverage)) : formatCoverage(r.coverage),
    perM2: r.kwh_per_m2_year,
    perUnit: r.eur_per_unit,
    drift:
      r.drift_percent === null
        ? '-'
        : r.drifting
          ? paint.red(`${formatPercent(r.drift_percent)} drift`)
          : formatPercent(r.drift_percent),
  }));
  const table = renderTable({
    columns: [
      { key: 'rank', header: '#', align: 'right' },
      { key: 'building', header: 'Building' },
      { key: 'surface', header: 'Surface', unit: 'm²', decimals: 0 },
      { key: 'units', header: 'Units', decimals: 0 },
      { key: 'kwh', header: 'Consumption', unit: 'kWh', decimals: 0 },
      { key: 'coverage', header: 'Coverage', align: 'right' },
      { key: 'perM2', header: 'kWh/m²/yr', decimals: 1 },
      { key: 'perUnit', header: 'Per unit', unit: '€', decimals: 2 },
      { key: 'drift', header: 'vs year before', align: 'right' },
    ],
    rows,
    color: opts.color,
    empty: 'no building',
  });
  const notes = [
    'kWh/m²/yr: the kWh projected to the whole year by coverage, per m²; per unit: the bill of the 12 months per lot',
    `drift: ${res.drift_rule}`,
  ];
  if (res.buildings.some((b) => b.surface_m2 === null))
    notes.push('unranked: no surfaceM2 under buildings in the config file');
  return [
    paint.bold(`Buildings compared — ${res.months.first} to ${res.months.last}`),
    table,
    ...notes.map((n) => paint.dim(n)),
  ].join('\n');
}

export function renderPeaks(res: PeakStats, opts: { color: boolean; width: number }): string {
  const paint = createColors(opts.color);
  const zone = res.building.timezone;
  const priced = res.months.some((m) => m.capacity_eur !== null);
  const rows = res.months.map((m) => ({
    month: m.month,
    kw: m.kw,
    at: m.at ? DateTime.fromISO(m.at, { zone }).toFormat('yyyy-MM-dd HH:mm') : '-',
    source: m.source,
    billed: m.billed_kw,
    cost: m.capacity_eur,
  }));
  const table = renderTable({
    columns: [
      { key: 'month', header: 'Month' },
      { key: 'kw', header: 'Peak', unit: 'kW', decimals: 3 },
      { key: 'at', header: 'When' },
      { key: 'source', header: 'From' },
      ...(priced
        ? [
            { key: 'billed' as const, header: 'Billed', unit: 'kW', decimals: 3 },
            { key: 'cost' as const, header: 'Capacity', unit: '€', decimals: 2 },
          ]
        : []),
    ],
    rows,
    color: opts.color,
    maxWidth: opts.width,
    empty: 'no readings in this range',
  });
  const notes = [
    "peak: the highest quarter-hour average demand; from p1: the meter's own 1-0:1.6.0, quarter-hour: 15-minute readings, estimated: spread from longer intervals (the real peak can only be higher)",
  ];
  if (!priced)
    notes.push(
      res.plans.length
        ? `no capacity tariff in ${res.plans.join(', ')}`
        : 'no tariff for this building: add one under tariffs.buildings to price the capacity charge',
    );
  return [
    paint.bold(
      `Monthly peaks — ${res.building.name}${res.device_ref ? `, meter ${res.device_ref}` : ''} (${zone})`,
    ),
    table,
    ...notes.map((n) => paint.dim(n)),
  ].join('\n');
}

export const PEAK_CSV_KEYS: (keyof MonthPeakRow)[] = [
  'month',
  'kw',
  'at',
  'source',
  'billed_kw',
  'mode',
  'capacity_eur',
];

export const COMPARE_CSV_KEYS = [
  'rank',
  'building',
  'surface_m2',
  'units',
  'kwh',
  'coverage',
  'kwh_per_m2_year',
  'eur',
  'eur_per_unit',
  'previous_kwh_per_m2_year',
  'previous_coverage',
  'drift_percent',
  'drifting',
] as const;

export function compareCsvRows(res: CompareResult) {
  return res.buildings.map((r) => ({ ...r, building: r.building.name }));
}
