/**
 * Raised night baseload: the median power between 01:00 and 05:00 local, night after
 * night, against the previous five weeks' nights (a robust line through them, see
 * anomalyBaseline.ts). A device left running (a pump, a heater, a stuck relay) shows here
 * long before it moves a daily total.
 *
 * A night counts only when its window is at least 90 % covered; an event needs at least
 * two consecutive raised nights. A fault lasting more than about two weeks becomes the
 * reference, after it has been reported.
 */
import { DateTime } from 'luxon';
import type { Anomaly, Language } from './anomalyTypes.js';
import { anomalyKey, roundTo, severityFor, toKwh } from './anomalyTypes.js';
import { nightBaseloadMessage } from './anomalyMessages.js';
import { type DaySample, dayNumber, robustTrend } from './anomalyBaseline.js';
import { type LocalDay, median } from './localReadings.js';
import { addDays } from './periods.js';

export const NIGHT_START_HOUR = 1;
export const NIGHT_END_HOUR = 5;
const NIGHT_WINDOW = '01:00–05:00';
const MIN_NIGHT_COVERAGE = 0.9;
const MIN_REFERENCE_NIGHTS = 7;
const MIN_CONSECUTIVE_NIGHTS = 2;

export interface NightBaseloadOptions {
  from: Date;
  to: Date;
  zone: string;
  thresholdPercent: number;
  minExcessWatts: number;
  baselineDays: number;
  language: Language;
}

interface Night {
  day: string;
  startMs: number;
  endMs: number;
  watts: number;
  intervalSeconds: number;
  reference?: number;
  raised: boolean;
}

export interface NightBaseloadResult {
  anomalies: Anomaly[];
  /** Rise in watts over the reference, per local day belonging to an event (reported or not). */
  raisedDays: Map<string, number>;
}

function measureNight(d: LocalDay, zone: string): Night | null {
  const start = DateTime.fromISO(d.day, { zone }).set({ hour: NIGHT_START_HOUR });
  const end = DateTime.fromISO(d.day, { zone }).set({ hour: NIGHT_END_HOUR });
  const startMs = start.toMillis();
  const endMs = end.toMillis();
  const inside = d.intervals.filter((i) => i.startMs >= startMs && i.endMs <= endMs);
  if (inside.length === 0) return null;
  const covered = inside.reduce((s, i) => s + i.intervalSeconds * 1000, 0);
  if (covered / (endMs - startMs) < MIN_NIGHT_COVERAGE) return null;
  const interval = inside[0] as (typeof inside)[number];
  return {
    day: d.day,
    startMs,
    endMs,
    watts: median(inside.map((i) => i.watts)),
    intervalSeconds: interval.intervalSeconds,
    raised: false,
  };
}

export function detectNightBaseload(
  days: readonly LocalDay[],
  opts: NightBaseloadOptions,
): NightBaseloadResult {
  const nights: Night[] = [];
  for (const d of days) {
    const n = measureNight(d, opts.zone);
    if (n) nights.push(n);
  }

  // Reference of each night from the earlier nights, along their drift (nights grow with
  // heating in autumn; a flat median would lag behind). Raised nights stay in: the robust
  // line already sets a week of them aside, while leaving them out let one wrong
  // reference raise every following night and never recover.
  for (let i = 0; i < nights.length; i++) {
    const n = nights[i] as Night;
    const oldest = addDays(n.day, -opts.baselineDays);
    const earlier: DaySample[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const p = nights[j] as Night;
      if (p.day < oldest) break;
      earlier.push({ x: dayNumber(p.day), y: p.watts, group: 0 });
    }
    const reference = robustTrend(earlier, dayNumber(n.day), 0, MIN_REFERENCE_NIGHTS);
    if (reference === undefined) continue;
    n.reference = reference;
    n.raised =
      reference > 0 &&
      n.watts > (reference * opts.thresholdPercent) / 100 &&
      n.watts - reference >= opts.minExcessWatts;
  }

  const anomalies: Anomaly[] = [];
  const raisedDays = new Map<string, number>();
  let run: Night[] = [];
  const close = (): void => {
    if (run.length >= MIN_CONSECUTIVE_NIGHTS) emit(run, opts, anomalies, raisedDays);
    run = [];
  };
  for (const n of nights) {
    const prev = run[run.length - 1];
    if (prev && (!n.raised || addDays(prev.day, 1) !== n.day)) close();
    if (n.raised) run.push(n);
  }
  close();
  return { anomalies, raisedDays };
}

function emit(
  run: Night[],
  opts: NightBaseloadOptions,
  out: Anomaly[],
  raisedDays: Map<string, number>,
): void {
  const first = run[0] as Night;
  const last = run[run.length - 1] as Night;
  for (const n of run) raisedDays.set(n.day, n.watts - (n.reference ?? n.watts));
  if (!(first.startMs < opts.to.getTime() && last.endMs > opts.from.getTime())) return;
  const watts = run.reduce((s, n) => s + n.watts, 0) / run.length;
  const reference = run.reduce((s, n) => s + (n.reference ?? 0), 0) / run.length;
  const ratio = roundTo((watts / reference) * 100, 6);
  const variance = ratio - 100;
  const start = new Date(first.startMs);
  out.push({
    kind: 'night_baseload',
    key: anomalyKey('night_baseload', start),
    start,
    end: new Date(last.endMs),
    timestamp: start,
    value: roundTo(toKwh(watts, first.intervalSeconds), 6),
    baseline: roundTo(toKwh(reference, first.intervalSeconds), 6),
    variancePercent: roundTo(variance, 1),
    severity: severityFor(ratio),
    message: nightBaseloadMessage(
      variance,
      run.length,
      start,
      watts,
      reference,
      NIGHT_WINDOW,
      opts.zone,
      opts.language,
    ),
  });
}
