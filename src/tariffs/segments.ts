/**
 * Splits a priced period into stretches where one plan version is in force: where the
 * building changes plan (its contract) and where a plan's prices change (its versions).
 * Every boundary is a local midnight in the building's zone, so a stretch holds whole
 * readings, and a past stretch keeps the version it had.
 */
import { DateTime } from 'luxon';
import { UsageError } from '../domain/errors.js';
import type { PlanVersion, TariffPlan } from './schema.js';

export interface ScheduleEntry {
  validFrom: string;
  plan: string;
}

export interface Segment {
  from: number;
  to: number;
  planName: string;
  plan: TariffPlan;
  version: PlanVersion;
}

export function localMidnight(day: string, zone: string): number {
  return DateTime.fromISO(day, { zone }).startOf('day').toMillis();
}

function day(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() as string;
}

/** [start, end) pieces of a list of dated entries, oldest first; the last never ends. */
function dated<T extends { validFrom: string }>(
  entries: readonly T[],
  zone: string,
): { from: number; to: number; entry: T }[] {
  const sorted = [...entries].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  return sorted.map((entry, i) => ({
    from: localMidnight(entry.validFrom, zone),
    to: i + 1 < sorted.length ? localMidnight((sorted[i + 1] as T).validFrom, zone) : Infinity,
    entry,
  }));
}

/** A schedule that prices everything under one plan, whatever its versions' dates. */
export function singlePlanSchedule(planName: string): ScheduleEntry[] {
  return [{ validFrom: '0001-01-01', plan: planName }];
}

export function segmentsOf(
  schedule: readonly ScheduleEntry[],
  plans: Readonly<Record<string, TariffPlan>>,
  zone: string,
  from: number,
  to: number,
): Segment[] {
  const out: Segment[] = [];
  let covered = from;
  for (const s of dated(schedule, zone)) {
    const plan = plans[s.entry.plan];
    if (!plan)
      throw new UsageError(`no tariff plan "${s.entry.plan}"`, {
        hint: 'plans are named under tariffs.plans in the configuration',
      });
    for (const v of dated(plan.versions, zone)) {
      const a = Math.max(from, s.from, v.from);
      const b = Math.min(to, s.to, v.to);
      if (a >= b) continue;
      if (a > covered) throw uncovered(s.entry.plan, plan, covered, zone);
      out.push({ from: a, to: b, planName: s.entry.plan, plan, version: v.entry });
      covered = b;
    }
  }
  if (covered < to) {
    const last = schedule.length ? schedule[schedule.length - 1] : undefined;
    throw uncovered(last?.plan ?? '', last ? plans[last.plan] : undefined, covered, zone);
  }
  return out;
}

function uncovered(name: string, plan: TariffPlan | undefined, at: number, zone: string) {
  const first = plan?.versions.map((v) => v.validFrom).sort()[0];
  return new UsageError(
    plan
      ? `tariff plan "${name}" has no price on ${day(at, zone)} (its first version is valid from ${first})`
      : `no tariff plan applies on ${day(at, zone)}`,
    { hint: 'start --from later, or add a version valid from that date' },
  );
}

/** Local months met by [from, to), each with its share of that month as [num, den] ms. */
export function monthParts(
  from: number,
  to: number,
  zone: string,
): { month: string; from: number; to: number; monthMs: number }[] {
  const out: { month: string; from: number; to: number; monthMs: number }[] = [];
  let start = DateTime.fromMillis(from, { zone }).startOf('month');
  while (start.toMillis() < to) {
    const next = start.plus({ months: 1 });
    const a = Math.max(from, start.toMillis());
    const b = Math.min(to, next.toMillis());
    out.push({
      month: start.toFormat('yyyy-MM'),
      from: a,
      to: b,
      monthMs: next.toMillis() - start.toMillis(),
    });
    start = next;
  }
  return out;
}
