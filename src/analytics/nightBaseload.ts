/**
 * Raised night baseload and lasting level shifts, from each day's night (median power
 * 01:00–05:00 local) and daytime (median power 08:00–20:00) against the previous weeks (a
 * robust line through them, see anomalyBaseline.ts). A device left running (a pump, a
 * heater, a stuck relay) shows at night long before it moves a daily total.
 *
 * A night is raised when it is above the user's threshold of its reference, by at least the
 * minimum excess, and unusual for this meter: more than `spreadFactor` robust standard
 * deviations of the previous nights above the reference. An event needs two consecutive
 * raised nights. Its class is then decided by the daytime of those days:
 * - daytime raised by about as many watts as the night: a level shift (something now
 *   draws a constant power). It is reported once; from its first day the previous days
 *   count with its size added (the new normal), and the event stays open while the load
 *   keeps the new level, at most `adoptWeeks` weeks;
 * - otherwise a raised night baseload, whose days the spike detector leaves out of its
 *   baselines.
 */
import { DateTime } from 'luxon';
import type { Anomaly, Language, LevelShift } from './anomalyTypes.js';
import { anomalyKey, roundTo, severityFor, toKwh } from './anomalyTypes.js';
import { levelShiftMessage, nightBaseloadMessage } from './anomalyMessages.js';
import { type DaySample, dayNumber, robustTrend } from './anomalyBaseline.js';
import { type LocalDay, median } from './localReadings.js';
import { addDays } from './periods.js';

export const NIGHT_START_HOUR = 1;
export const NIGHT_END_HOUR = 5;
const NIGHT_WINDOW = '01:00–05:00';
const MIN_COVERAGE = 0.9;
const MIN_REFERENCE_NIGHTS = 7;
const MIN_CONSECUTIVE_NIGHTS = 2;
const MAD_TO_SD = 1.4826;
/** A relative spread below this is rounding, not the meter's variability. */
const MIN_RELATIVE_SPREAD = 0.03;
/** Daytime raised by at least this share of the night's rise: the whole load moved. */
const SHIFT_DAY_SHARE = 0.5;
const MAX_CLASSIFY_NIGHTS = 4;
/** Past days of the same kind needed for a daytime reference. */
const MIN_REFERENCE_DAYS = 3;

export interface NightBaseloadOptions {
  from: Date;
  to: Date;
  zone: string;
  thresholdPercent: number;
  minExcessWatts: number;
  baselineDays: number;
  language: Language;
  spreadFactor: number;
  adoptWeeks: number;
}

interface Night {
  day: string;
  x: number;
  dayGroup: number;
  startMs: number;
  endMs: number;
  watts: number;
  /** Median daytime power of the same day, W, when that window is covered. */
  dayWatts?: number;
  intervalSeconds: number;
  reference?: number;
  dayReference?: number;
  raised: boolean;
}

export interface NightBaseloadResult {
  anomalies: Anomaly[];
  /** Rise in watts over the reference, per local day of a raised-night event (reported or not). */
  raisedDays: Map<string, number>;
  /** Level shifts found, oldest first (reported or not). */
  levelShifts: LevelShift[];
}

function windowMedian(d: LocalDay, zone: string, fromHour: number, toHour: number) {
  const startMs = DateTime.fromISO(d.day, { zone }).set({ hour: fromHour }).toMillis();
  const endMs = DateTime.fromISO(d.day, { zone }).set({ hour: toHour }).toMillis();
  const inside = d.intervals.filter((i) => i.startMs >= startMs && i.endMs <= endMs);
  const covered = inside.reduce((s, i) => s + i.intervalSeconds * 1000, 0);
  if (inside.length === 0 || covered / (endMs - startMs) < MIN_COVERAGE) return null;
  const first = inside[0] as (typeof inside)[number];
  return { startMs, endMs, watts: median(inside.map((i) => i.watts)), step: first.intervalSeconds };
}

function measureNight(d: LocalDay, zone: string): Night | null {
  const night = windowMedian(d, zone, NIGHT_START_HOUR, NIGHT_END_HOUR);
  if (!night) return null;
  const daytime = windowMedian(d, zone, 8, 20);
  return {
    day: d.day,
    x: dayNumber(d.day),
    dayGroup: d.dayGroup,
    startMs: night.startMs,
    endMs: night.endMs,
    watts: night.watts,
    ...(daytime ? { dayWatts: daytime.watts } : {}),
    intervalSeconds: night.step,
    raised: false,
  };
}

/** Watts to add to a past day's value: the level shifts that started after it, up to `day`. */
export function shiftCorrection(shifts: readonly LevelShift[], past: string, day: string): number {
  let w = 0;
  for (const s of shifts) if (past < s.day && s.day <= day) w += s.sizeWatts;
  return w;
}

/** Reference and relative spread of the previous nights (or daytimes), with level shifts applied. */
function referenceOf(
  nights: readonly Night[],
  i: number,
  shifts: readonly LevelShift[],
  opts: NightBaseloadOptions,
  pick: (n: Night) => number | undefined,
): { reference: number; spread: number } | undefined {
  const n = nights[i] as Night;
  const oldest = addDays(n.day, -opts.baselineDays);
  const samples: DaySample[] = [];
  for (let j = i - 1; j >= 0; j--) {
    const p = nights[j] as Night;
    if (p.day < oldest) break;
    const y = pick(p);
    if (y === undefined) continue;
    samples.push({ x: p.x, y: y + shiftCorrection(shifts, p.day, n.day), group: p.dayGroup });
  }
  const group = pick === nightWatts ? 0 : n.dayGroup;
  const own = pick === nightWatts ? samples.map((s) => ({ ...s, group: 0 })) : samples;
  const minimum = pick === nightWatts ? MIN_REFERENCE_NIGHTS : MIN_REFERENCE_DAYS;
  const reference = robustTrend(own, n.x, group, minimum);
  if (reference === undefined || !(reference > 0)) return undefined;
  const ys = own.filter((s) => s.group === group).map((s) => s.y);
  const centre = median(ys);
  const spread = Math.max(
    MIN_RELATIVE_SPREAD,
    (MAD_TO_SD * median(ys.map((y) => Math.abs(y - centre)))) / reference,
  );
  return { reference, spread };
}

const nightWatts = (n: Night): number => n.watts;
const dayWatts = (n: Night): number | undefined => n.dayWatts;

export function detectNightBaseload(
  days: readonly LocalDay[],
  opts: NightBaseloadOptions,
): NightBaseloadResult {
  const nights: Night[] = [];
  for (const d of days) {
    const n = measureNight(d, opts.zone);
    if (n) nights.push(n);
  }
  // The last night measured, not the last day: a run at 02:00 has a day without its night
  // yet, and an event raised up to the night before is still ongoing.
  const lastDay = nights[nights.length - 1]?.day;
  const out: NightBaseloadResult = { anomalies: [], raisedDays: new Map(), levelShifts: [] };
  let run: Night[] = [];
  /** The level shift being followed: its event and the reference it is measured against. */
  let shift: { event: Anomaly; reference: number; size: number; untilMs: number } | undefined;

  const closeRun = (): void => {
    if (run.length >= MIN_CONSECUTIVE_NIGHTS)
      emitNight(run, opts, out, run.at(-1)?.day === lastDay);
    run = [];
  };

  for (let i = 0; i < nights.length; i++) {
    const n = nights[i] as Night;
    if (shift) {
      // A level shift lasts while the night keeps its new level, up to its adoption.
      const still = n.watts - shift.reference >= shift.size / 2 && n.startMs < shift.untilMs;
      if (still) {
        shift.event.end = new Date(n.endMs);
        shift.event.ongoing = n.day === lastDay;
      } else {
        if (n.startMs >= shift.untilMs) shift.event.end = new Date(shift.untilMs);
        shift = undefined;
      }
    }
    const ref = referenceOf(nights, i, out.levelShifts, opts, nightWatts);
    if (ref) {
      n.reference = ref.reference;
      n.raised =
        n.watts > (ref.reference * opts.thresholdPercent) / 100 &&
        n.watts - ref.reference >= opts.minExcessWatts &&
        n.watts > ref.reference * (1 + opts.spreadFactor * ref.spread);
    }
    const dayRef = referenceOf(nights, i, out.levelShifts, opts, dayWatts);
    if (dayRef) n.dayReference = dayRef.reference;

    const prev = run.at(-1);
    if (prev && (!n.raised || addDays(prev.day, 1) !== n.day)) closeRun();
    if (!n.raised) continue;
    run.push(n);
    // Classified from the second night on, while it is young (a weekend's daytime may be
    // unknown to the reference yet).
    if (
      run.length >= MIN_CONSECUTIVE_NIGHTS &&
      run.length <= MAX_CLASSIFY_NIGHTS &&
      isLevelShift(run, opts)
    ) {
      shift = startShift(run, opts, out, lastDay);
      run = [];
    }
  }
  closeRun();
  return out;
}

/** The daytime rose by about as many watts as the nights: the whole load moved. */
function isLevelShift(run: readonly Night[], opts: NightBaseloadOptions): boolean {
  const dayRises = run
    .filter((n) => n.dayWatts !== undefined && n.dayReference !== undefined)
    .map((n) => (n.dayWatts as number) - (n.dayReference as number));
  if (dayRises.length === 0) return false;
  const nightRise = run.reduce((s, n) => s + n.watts - (n.reference ?? n.watts), 0) / run.length;
  const dayRise = dayRises.reduce((s, r) => s + r, 0) / dayRises.length;
  return dayRise >= opts.minExcessWatts && dayRise >= SHIFT_DAY_SHARE * nightRise;
}

function startShift(
  run: readonly Night[],
  opts: NightBaseloadOptions,
  out: NightBaseloadResult,
  lastDay: string | undefined,
) {
  const first = run[0] as Night;
  const last = run[run.length - 1] as Night;
  const reference = run.reduce((s, n) => s + (n.reference ?? 0), 0) / run.length;
  const size = median(run.map((n) => n.watts - (n.reference ?? n.watts)));
  out.levelShifts.push({ day: first.day, startMs: first.startMs, sizeWatts: size });
  const ratio = roundTo(((reference + size) / reference) * 100, 6);
  const start = new Date(first.startMs);
  const event: Anomaly = {
    kind: 'level_shift',
    key: anomalyKey('level_shift', start),
    start,
    end: new Date(last.endMs),
    timestamp: start,
    value: roundTo(toKwh(reference + size, first.intervalSeconds), 6),
    baseline: roundTo(toKwh(reference, first.intervalSeconds), 6),
    variancePercent: roundTo(ratio - 100, 1),
    severity: severityFor(ratio),
    message: levelShiftMessage(size, start, opts.zone, opts.language),
    ongoing: last.day === lastDay,
    peakWatts: roundTo(reference + size, 1),
    sizeWatts: Math.round(size),
  };
  out.anomalies.push(event);
  return { event, reference, size, untilMs: first.startMs + opts.adoptWeeks * 7 * 86_400_000 };
}

function emitNight(
  run: Night[],
  opts: NightBaseloadOptions,
  out: NightBaseloadResult,
  ongoing: boolean,
): void {
  const first = run[0] as Night;
  const last = run[run.length - 1] as Night;
  for (const n of run) out.raisedDays.set(n.day, n.watts - (n.reference ?? n.watts));
  const watts = run.reduce((s, n) => s + n.watts, 0) / run.length;
  const reference = run.reduce((s, n) => s + (n.reference ?? 0), 0) / run.length;
  const ratio = roundTo((watts / reference) * 100, 6);
  const variance = ratio - 100;
  const start = new Date(first.startMs);
  out.anomalies.push({
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
    ongoing,
    peakWatts: roundTo(Math.max(...run.map((n) => n.watts)), 1),
  });
}
