/**
 * Which provider calls a sync makes: local-day windows (in the provider's time zone) sized
 * by its per-call limit, from the checkpoint minus an overlap (late data) up to today (day D
 * is published on D+1), plus windows re-asking days recorded as gaps. Pure.
 */
import { addDays, localDayOf } from '../domain/localDays.js';
import { localDaySeconds } from '../providers/localTime.js';
import type { IntervalReading } from '../domain/readings.js';

export interface Window {
  fromDay: string;
  /** Excluded. */
  toDay: string;
  /** 'range' windows advance the checkpoint; 'gap' windows only re-ask missing days. */
  kind: 'range' | 'gap';
}

export interface PlanInput {
  /** Today in the provider's zone. */
  today: string;
  historyDays: number;
  maxDaysPerCall: number;
  overlapDays: number;
  /** Local day of the checkpoint (data fetched up to its start), or null before any sync. */
  checkpointDay: string | null;
  /** First day with data, when known (before it nothing is asked). */
  dataStartDay: string | null;
  /** --from / --to (local days; toDay excluded). */
  fromDay?: string;
  toDay?: string;
  gapDays: string[];
  /** At most this many gap windows per sync, to keep the quota for new data. */
  maxGapWindows: number;
}

export function earliestDay(today: string, historyDays: number): string {
  // One day of margin: the provider's "24 months" is counted from its own clock.
  return addDays(today, -historyDays + 1);
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

function chunk(fromDay: string, toDay: string, size: number, kind: Window['kind']): Window[] {
  const out: Window[] = [];
  for (let d = fromDay; d < toDay;) {
    const next = addDays(d, size);
    const end = next < toDay ? next : toDay;
    out.push({ fromDay: d, toDay: end, kind });
    d = end;
  }
  return out;
}

export function planWindows(p: PlanInput): Window[] {
  const earliest = earliestDay(p.today, p.historyDays);
  const end = p.toDay && p.toDay < p.today ? p.toDay : p.today;
  let start = p.fromDay ?? (p.checkpointDay ? addDays(p.checkpointDay, -p.overlapDays) : earliest);
  start = maxDay(start, earliest);
  if (p.dataStartDay && !p.fromDay) start = maxDay(start, p.dataStartDay);
  const range = start < end ? chunk(start, end, p.maxDaysPerCall, 'range') : [];
  // Gap days outside the range, grouped into runs of consecutive days.
  const gaps = [...new Set(p.gapDays)]
    .filter((d) => d >= earliest && (d < start || d >= end) && d < p.today)
    .sort();
  const gapWindows: Window[] = [];
  for (let i = 0; i < gaps.length && gapWindows.length < p.maxGapWindows;) {
    const first = gaps[i] as string;
    let last = first;
    let j = i + 1;
    while (j < gaps.length && gaps[j] === addDays(last, 1) && j - i < p.maxDaysPerCall)
      last = gaps[j++] as string;
    gapWindows.push({ fromDay: first, toDay: addDays(last, 1), kind: 'gap' });
    i = j;
  }
  return [...gapWindows, ...range];
}

export interface DayCoverage {
  day: string;
  expectedSeconds: number;
  coveredSeconds: number;
  readings: number;
}

/** Seconds covered per local day of a window, from the readings a call returned. */
export function coverageByDay(
  readings: readonly IntervalReading[],
  w: Window,
  zone: string,
): DayCoverage[] {
  const days = new Map<string, DayCoverage>();
  for (let d = w.fromDay; d < w.toDay; d = addDays(d, 1))
    days.set(d, {
      day: d,
      expectedSeconds: localDaySeconds(d, zone),
      coveredSeconds: 0,
      readings: 0,
    });
  for (const r of readings) {
    const c = days.get(localDayOf(r.start, zone));
    if (!c) continue;
    c.coveredSeconds += r.intervalSeconds;
    c.readings += 1;
  }
  return [...days.values()];
}
