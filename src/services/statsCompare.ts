/**
 * `stats --compare`: buildings side by side on a fair footing. Each building's last twelve
 * months: kWh per m² per year (the kWh projected to the whole year by coverage, divided by
 * the surface) and € per unit (the bill of those months under its contract, divided by
 * its lots), ranked by kWh/m²/year, with each one's coverage.
 *
 * Drift rule: a building drifts when its kWh/m²/year changed by more than 10 % from the
 * twelve months before, both windows being at least 80 % covered (so a meter linked last
 * spring, or a gap of several weeks, is not taken for a change of consumption).
 */
import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import { listBuildings } from '../db/buildings.js';
import { dailyAggregates } from '../db/stats.js';
import type { Queryable } from '../db/types.js';
import {
  billOf,
  buildingFactsOf,
  euros,
  pricingHistoryStart,
  pricingOf,
  pricingReadings,
} from './costs.js';
import type { BuildingSummary, ServiceDeps } from './deps.js';

export const DRIFT_PERCENT = 10;
export const DRIFT_MIN_COVERAGE = 0.8;

export interface CompareRow {
  rank: number | null;
  building: BuildingSummary;
  surface_m2: number | null;
  units: number | null;
  kwh: number;
  coverage: number;
  kwh_per_m2_year: number | null;
  eur: number | null;
  eur_per_unit: number | null;
  previous_kwh_per_m2_year: number | null;
  previous_coverage: number;
  /** Change of kWh/m²/year from the twelve months before, %; null when not comparable. */
  drift_percent: number | null;
  drifting: boolean;
}

export interface CompareResult {
  /** The twelve months compared, local to each building: their first and last month. */
  months: { first: string; last: string };
  drift_rule: string;
  buildings: CompareRow[];
}

interface Window {
  kwh: number;
  coverage: number;
}

async function windowOf(
  q: Queryable,
  b: BuildingSummary,
  from: DateTime,
  to: DateTime,
): Promise<Window> {
  const days = await dailyAggregates(q, {
    buildingId: b.id,
    zone: b.timezone,
    metricType: 'electricity_consumption',
    fromDay: from.toISODate() as string,
    toDay: to.toISODate() as string,
  });
  let kwh = 0;
  let covered = 0;
  for (const d of days) {
    kwh += d.total;
    covered += d.coveredSeconds ?? d.count * d.intervalSeconds;
  }
  const seconds = (to.toMillis() - from.toMillis()) / 1000;
  return { kwh: Math.round(kwh * 1000) / 1000, coverage: Math.min(1, covered / seconds) };
}

const perM2Year = (w: Window, m2: number | null | undefined) =>
  m2 && w.coverage > 0 ? Math.round((w.kwh / w.coverage / m2) * 100) / 100 : null;

async function rowOf(
  deps: Pick<ServiceDeps, 'db'> & { config: Pick<Config, 'tariffs' | 'configFile' | 'buildings'> },
  b: BuildingSummary,
  end: DateTime,
): Promise<Omit<CompareRow, 'rank'>> {
  const local = end.setZone(b.timezone, { keepLocalTime: true });
  const start = local.minus({ months: 12 });
  const before = start.minus({ months: 12 });
  const facts = buildingFactsOf(deps.config, b);
  const cur = await windowOf(deps.db, b, start, local);
  const prev = await windowOf(deps.db, b, before, start);
  const pricing = await pricingOf(deps.config, b);
  let eur: number | null = null;
  if (pricing) {
    const from = start.toJSDate();
    const to = local.toJSDate();
    const readings = await pricingReadings(
      deps.db,
      b.id,
      pricingHistoryStart(pricing, from, b.timezone),
      to,
    );
    const bill = billOf(pricing, readings, b.timezone, from, to);
    eur = bill && euros(bill.totalCents);
  }
  const now = perM2Year(cur, facts?.surfaceM2);
  const then = perM2Year(prev, facts?.surfaceM2);
  const comparable =
    now !== null &&
    then !== null &&
    then > 0 &&
    cur.coverage >= DRIFT_MIN_COVERAGE &&
    prev.coverage >= DRIFT_MIN_COVERAGE;
  const drift = comparable ? Math.round((now / then - 1) * 1000) / 10 : null;
  return {
    building: { id: b.id, name: b.name, timezone: b.timezone },
    surface_m2: facts?.surfaceM2 ?? null,
    units: facts?.units ?? null,
    kwh: cur.kwh,
    coverage: Math.round(cur.coverage * 1000) / 1000,
    kwh_per_m2_year: now,
    eur,
    eur_per_unit: eur !== null && facts?.units ? Math.round((eur / facts.units) * 100) / 100 : null,
    previous_kwh_per_m2_year: then,
    previous_coverage: Math.round(prev.coverage * 1000) / 1000,
    drift_percent: drift,
    drifting: drift !== null && Math.abs(drift) > DRIFT_PERCENT,
  };
}

/**
 * Every building's last twelve months before `end` (exclusive, read as a local wall-clock
 * time in each building's zone; default the first day of the current month: twelve
 * complete months).
 */
export async function compareBuildings(
  deps: Pick<ServiceDeps, 'db' | 'now'> & {
    config: Pick<Config, 'tariffs' | 'configFile' | 'buildings' | 'defaults'>;
  },
  endAt?: Date,
): Promise<CompareResult> {
  const zone = deps.config.defaults.timeZone;
  const end = endAt
    ? DateTime.fromJSDate(endAt, { zone })
    : DateTime.fromJSDate(deps.now(), { zone }).startOf('month');
  const rows = [];
  for (const b of await listBuildings(deps.db)) rows.push(await rowOf(deps, b, end));
  // Lowest kWh/m²/year first; buildings without a surface (or readings) after, unranked.
  rows.sort(
    (a, b) =>
      (a.kwh_per_m2_year ?? Infinity) - (b.kwh_per_m2_year ?? Infinity) ||
      a.building.name.localeCompare(b.building.name),
  );
  let rank = 0;
  return {
    months: {
      first: end.minus({ months: 12 }).toFormat('yyyy-MM'),
      last: end.minus({ days: 1 }).toFormat('yyyy-MM'),
    },
    drift_rule: `kWh/m²/year changed by more than ${DRIFT_PERCENT} % from the 12 months before, both at least ${DRIFT_MIN_COVERAGE * 100} % covered`,
    buildings: rows.map((r) => ({ rank: r.kwh_per_m2_year === null ? null : ++rank, ...r })),
  };
}
