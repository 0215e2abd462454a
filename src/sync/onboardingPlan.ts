/**
 * The onboarding plan of newly linked meters, pure: which stages each meter goes through,
 * the window each next call asks for, and how long the application's quota needs for what
 * is left.
 *
 * Stages, in this order for the whole application (every meter's stage before any meter's
 * next): `yesterday` (one load-curve call: each meter shows something at once), `daily`
 * (daily totals back 36 months, 365 days a call: 3 calls), `curve` (the load curve newest
 * first, 7 days a call, back to the curve's history). Within a stage the meters take turns.
 */
import { addDays, daysBetween } from '../domain/localDays.js';
import type { OnboardingStage, StagePlan } from '../db/onboarding.js';

export type { OnboardingStage, StagePlan } from '../db/onboarding.js';
export const STAGES: readonly OnboardingStage[] = ['yesterday', 'daily', 'curve'];

export interface PlanInput {
  today: string;
  curveHistoryDays: number;
  curveDaysPerCall: number;
  dailyHistoryMonths: number;
  dailyDaysPerCall: number;
  /** The consent lists injection: production is fetched too (two calls a window). */
  production: boolean;
}

/** A calendar day `months` months earlier (the day clamped to the month's end). */
export function monthsBefore(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const dd = Math.min(d, last);
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

export function windowsIn(untilDay: string, nextTo: string, daysPerCall: number): number {
  const days = daysBetween(untilDay, nextTo) ?? 0;
  return days <= 0 ? 0 : Math.ceil(days / daysPerCall);
}

/** The three stages of a newly linked meter. */
export function planMeter(p: PlanInput): StagePlan[] {
  const yesterday = addDays(p.today, -1);
  const series = p.production ? 2 : 1;
  const curveFrom = addDays(p.today, -p.curveHistoryDays);
  // 36 months back, or three calls of 365 days when the months hold a leap day (1,096
  // days): the oldest day is then left out rather than spend a fourth call on it.
  const byMonths = monthsBefore(p.today, p.dailyHistoryMonths);
  const byCalls = addDays(p.today, -p.dailyDaysPerCall * Math.ceil(p.dailyHistoryMonths / 12));
  const dailyFrom = byMonths > byCalls ? byMonths : byCalls;
  return [
    { stage: 'yesterday', untilDay: yesterday, nextTo: p.today, callsLeft: series },
    {
      stage: 'daily',
      untilDay: dailyFrom,
      nextTo: p.today,
      callsLeft: series * windowsIn(dailyFrom, p.today, p.dailyDaysPerCall),
    },
    {
      stage: 'curve',
      untilDay: curveFrom,
      nextTo: yesterday,
      callsLeft: series * windowsIn(curveFrom, yesterday, p.curveDaysPerCall),
    },
  ];
}

/** The next window of a stage: the newest days not fetched yet, at most daysPerCall. */
export function nextWindow(
  untilDay: string,
  nextTo: string,
  daysPerCall: number,
): { fromDay: string; toDay: string } | null {
  if ((daysBetween(untilDay, nextTo) ?? 0) <= 0) return null;
  const from = addDays(nextTo, -daysPerCall);
  return { fromDay: from < untilDay ? untilDay : from, toDay: nextTo };
}

export interface OpenStage {
  deviceId: string;
  stage: OnboardingStage;
  callsLeft: number;
}

/** Calls per second the application may make on average: the tighter of its two quotas. */
export function sustainedRate(perSecond: number | undefined, perHour: number | undefined): number {
  const rates = [perSecond, perHour !== undefined ? perHour / 3600 : undefined].filter(
    (r): r is number => r !== undefined && r > 0,
  );
  return rates.length === 0 ? Infinity : Math.min(...rates);
}

/**
 * Seconds until each meter's onboarding is complete, at the quota's sustained rate. Meters
 * take turns within a stage, so a meter is done once every call of the earlier stages is
 * made and, in its last stage, every other meter has made as many calls as it still needs.
 */
export function estimateCompletion(open: OpenStage[], rate: number): Map<string, number> {
  const rank = (s: OnboardingStage) => STAGES.indexOf(s);
  const lastStage = new Map<string, OpenStage>();
  for (const o of open) {
    const cur = lastStage.get(o.deviceId);
    if (!cur || rank(o.stage) > rank(cur.stage)) lastStage.set(o.deviceId, o);
  }
  const out = new Map<string, number>();
  for (const [deviceId, last] of lastStage) {
    let calls = 0;
    for (const o of open) {
      if (rank(o.stage) < rank(last.stage)) calls += o.callsLeft;
      else if (o.stage === last.stage) calls += Math.min(o.callsLeft, last.callsLeft);
    }
    out.set(deviceId, rate === Infinity ? 0 : calls / rate);
  }
  return out;
}
