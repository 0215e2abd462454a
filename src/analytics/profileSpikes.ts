/**
 * Profile detector (the default): each interval is compared with the usual power of the
 * same local time of day on the same kind of day (weekday or weekend) over the previous
 * weeks, so the evening peak is expected at 19:00 and the night is expected to be low.
 *
 * The baseline is a robust line through those past values (anomalyBaseline.ts): a median
 * level that also follows a slow drift. A plain median of five weeks lags two and a half weeks
 * behind the load; in autumn, when heating comes on, that lag alone puts every ordinary
 * day 20–30 % above its baseline. Only days at least 90 % covered feed it, and intervals
 * already flagged are left out of later baselines (only those intervals, not their whole
 * day: dropping whole days let any false alarm freeze the baseline and breed more).
 *
 * A rise must also exceed a small absolute floor (watts), so a few Wh at night do not
 * flag noise, and must last (default 90 minutes) before it fires. Consecutive flagged
 * intervals make one event.
 */
import type { Anomaly, Language } from './anomalyTypes.js';
import { anomalyKey, roundTo, severityFor, toKwh } from './anomalyTypes.js';
import { profileSpikeMessage } from './anomalyMessages.js';
import { type DaySample, dayNumber, robustTrend } from './anomalyBaseline.js';
import type { LocalDay, LocalInterval } from './localReadings.js';
import { addDays } from './periods.js';

/** Profiles are kept per 5 minutes: every provider step (10, 15, 30, 60) is a multiple. */
const FINE_MINUTES = 5;
const FINE_SLOTS = (24 * 60) / FINE_MINUTES;
const MIN_DAY_COVERAGE = 0.9;
/** Past days of the same kind needed before a time of day has a baseline. */
const MIN_BASELINE_DAYS = 3;

export interface ProfileOptions {
  from: Date;
  to: Date;
  zone: string;
  thresholdPercent: number;
  minExcessWatts: number;
  minDurationMinutes: number;
  baselineDays: number;
  language: Language;
  /**
   * Days whose night baseload is known to be raised, with the rise in watts: the rise is
   * added to their baseline (it is reported as its own anomaly) and the days are kept out
   * of later baselines.
   */
  raisedDays?: ReadonlyMap<string, number>;
}

interface PastDay {
  day: string;
  x: number;
  group: number;
  /** Mean power per 5-minute slot; NaN where unknown or flagged. */
  profile: Float64Array;
}

interface Flagged {
  interval: LocalInterval;
  baselineWatts: number;
  ratio: number;
}

function slotsOf(i: LocalInterval): [number, number] {
  const first = Math.floor(i.minuteOfDay / FINE_MINUTES);
  const end = Math.ceil((i.minuteOfDay + i.intervalSeconds / 60) / FINE_MINUTES);
  return [first, Math.min(FINE_SLOTS, Math.max(first + 1, end))];
}

/** Mean power per slot of one day; a slot seen twice (October's repeated hour) averages. */
function dayProfile(d: LocalDay): Float64Array {
  const sums = new Float64Array(FINE_SLOTS);
  const counts = new Uint16Array(FINE_SLOTS);
  for (const i of d.intervals) {
    const [a, b] = slotsOf(i);
    for (let s = a; s < b; s++) {
      sums[s] = (sums[s] as number) + i.watts;
      counts[s] = (counts[s] as number) + 1;
    }
  }
  return sums.map((v, s) => ((counts[s] as number) > 0 ? v / (counts[s] as number) : Number.NaN));
}

/** Mean power of a past day over slots [a, b), or NaN when part of it is unknown. */
function spanMean(profile: Float64Array, a: number, b: number): number {
  let sum = 0;
  for (let s = a; s < b; s++) sum += profile[s] as number;
  return sum / (b - a);
}

/** Expected power of each interval of `day`, from the past days. */
function dayBaselines(day: LocalDay, history: readonly PastDay[]): (number | undefined)[] {
  const x0 = dayNumber(day.day);
  const group = day.weekend ? 1 : 0;
  return day.intervals.map((interval) => {
    const [a, b] = slotsOf(interval);
    const samples: DaySample[] = [];
    for (const h of history) {
      const y = spanMean(h.profile, a, b);
      if (!Number.isNaN(y)) samples.push({ x: h.x, y, group: h.group });
    }
    return robustTrend(samples, x0, group, MIN_BASELINE_DAYS);
  });
}

export function detectProfileSpikes(days: readonly LocalDay[], opts: ProfileOptions): Anomaly[] {
  const raised = opts.raisedDays ?? new Map<string, number>();
  const past: PastDay[] = [];
  const pastByDay = new Map<string, PastDay>();
  const events: Anomaly[] = [];
  let run: Flagged[] = [];
  let runFired = false;

  const runMinutes = (): number => run.reduce((s, f) => s + f.interval.intervalSeconds / 60, 0);
  // A flagged interval must not become tomorrow's normal: blank it in its day's profile.
  const forget = (i: LocalInterval): void => {
    const p = pastByDay.get(i.day);
    if (!p) return;
    const [a, b] = slotsOf(i);
    for (let s = a; s < b; s++) p.profile[s] = Number.NaN;
  };
  const closeRun = (): void => {
    if (runFired) {
      const event = toEvent(run, opts);
      if (event.start.getTime() < opts.to.getTime() && event.end.getTime() > opts.from.getTime()) {
        events.push(event);
      }
    }
    run = [];
    runFired = false;
  };

  for (const day of days) {
    const oldest = addDays(day.day, -opts.baselineDays);
    while (past.length > 0 && (past[0] as PastDay).day < oldest) past.shift();
    const history = past.filter((h) => !raised.has(h.day));
    const x0 = dayNumber(day.day);
    const group = day.weekend ? 1 : 0;
    const shift = raised.get(day.day) ?? 0;
    const usable = day.coverage >= MIN_DAY_COVERAGE;
    if (usable) {
      // Registered before the day is scanned, so its own flagged intervals can be blanked;
      // it joins the history only from the next day on (history was taken above).
      const p: PastDay = { day: day.day, x: x0, group, profile: dayProfile(day) };
      past.push(p);
      pastByDay.set(day.day, p);
    }

    const baselines = dayBaselines(day, history);
    day.intervals.forEach((interval, k) => {
      const last = run[run.length - 1];
      if (last && last.interval.endMs !== interval.startMs) closeRun();
      const base = baselines[k];
      if (base === undefined || !(base + shift > 0)) {
        closeRun();
        return;
      }
      const expected = base + shift;
      const ratio = roundTo((interval.watts / expected) * 100, 6);
      const over =
        ratio > opts.thresholdPercent && interval.watts - expected >= opts.minExcessWatts;
      if (!over) {
        closeRun();
        return;
      }
      run.push({ interval, baselineWatts: expected, ratio });
      if (runFired) forget(interval);
      else if (runMinutes() >= opts.minDurationMinutes) {
        runFired = true;
        for (const f of run) forget(f.interval);
      }
    });
  }
  closeRun();
  return events;
}

function toEvent(run: Flagged[], opts: ProfileOptions): Anomaly {
  const first = run[0] as Flagged;
  const last = run[run.length - 1] as Flagged;
  let peak = first;
  for (const f of run) if (f.ratio > peak.ratio) peak = f;
  const start = first.interval.timestamp;
  const end = new Date(last.interval.endMs);
  const variance = peak.ratio - 100;
  return {
    kind: 'spike',
    key: anomalyKey('spike', start),
    start,
    end,
    timestamp: start,
    value: roundTo(peak.interval.value, 6),
    baseline: roundTo(toKwh(peak.baselineWatts, peak.interval.intervalSeconds), 6),
    variancePercent: roundTo(variance, 1),
    severity: severityFor(peak.ratio),
    message: profileSpikeMessage(variance, start, end, opts.zone, opts.language),
  };
}
