/**
 * `stats --peak`: per local month, the highest quarter-hour average demand, when it
 * happened, where the figure comes from (the P1 meter's own register, quarter-hour
 * readings, or an estimate from longer intervals), and what it costs under the building's
 * capacity tariff (the month's capacity line: the billed kW × the yearly price / 12).
 */
import { DateTime } from 'luxon';
import type { Config } from '../config.js';
import { resolveBuilding } from '../db/buildings.js';
import { billOf, euros, pricingHistoryStart, pricingOf, pricingReadings } from './costs.js';
import {
  buildingSummary,
  type BuildingRef,
  type BuildingSummary,
  type ServiceDeps,
} from './deps.js';
import { measuredPeaks, monthPeaks, type PeakOrigin } from './peaks.js';
import type { DateArgs } from './periodRange.js';

export interface MonthPeakRow {
  month: string;
  kw: number;
  at: string | null;
  source: PeakOrigin;
  /** Under a capacity tariff (else null): kW billed, how, and the month's charge. */
  billed_kw: number | null;
  mode: 'monthly-peak' | 'rolling-12-month-average' | null;
  capacity_eur: number | null;
}

export interface PeakStats {
  building: BuildingSummary;
  device_ref: string | null;
  /** Plans of the building's contract; empty without one. */
  plans: string[];
  months: MonthPeakRow[];
}

export interface PeakQuery {
  building?: BuildingRef;
  device?: string;
  dates?: DateArgs;
}

/** Default: the twelve months up to the current one included. */
function monthsRange(zone: string, now: Date, dates: { from?: Date; to?: Date }) {
  const to =
    dates.to ?? DateTime.fromJSDate(now, { zone }).startOf('month').plus({ months: 1 }).toJSDate();
  const from =
    dates.from ??
    DateTime.fromJSDate(to, { zone }).minus({ months: 12 }).startOf('month').toJSDate();
  return { from, to };
}

export async function peakStats(
  deps: Pick<ServiceDeps, 'db' | 'now'> & {
    config: Pick<Config, 'tariffs' | 'configFile' | 'defaults'>;
  },
  query: PeakQuery,
): Promise<PeakStats> {
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  const zone = building.timezone;
  const { from, to } = monthsRange(zone, deps.now(), query.dates?.(zone) ?? {});
  const pricing = await pricingOf(deps.config, building);
  const first = pricing ? pricingHistoryStart(pricing, from, zone) : from;
  const readings = await pricingReadings(deps.db, building.id, first, to, query.device);
  const measured = await measuredPeaks(deps.db, building.id, zone, first, to, query.device);
  const months = monthPeaks(readings, measured, zone, from, to).map((p): MonthPeakRow => {
    const row = { month: p.month, kw: p.kw, at: p.at?.toISOString() ?? null, source: p.source };
    const none = { ...row, billed_kw: null, mode: null, capacity_eur: null };
    if (!pricing) return none;
    const start = DateTime.fromISO(`${p.month}-01`, { zone });
    const bill = billOf(
      pricing,
      readings,
      zone,
      new Date(Math.max(start.toMillis(), from.getTime())),
      new Date(Math.min(start.plus({ months: 1 }).toMillis(), to.getTime())),
      measured,
    );
    const capacity = bill?.peaks.find((k) => k.month === p.month);
    if (!bill || !capacity) return none;
    const cents = bill.lines
      .filter((l) => l.kind === 'capacity')
      .reduce((s, l) => s + l.amountCents, 0);
    return {
      ...row,
      billed_kw: Number(capacity.billedKw),
      mode: capacity.mode,
      capacity_eur: euros(cents),
    };
  });
  return {
    building: buildingSummary(building),
    device_ref: query.device ?? null,
    plans: pricing?.planNames ?? [],
    months,
  };
}
