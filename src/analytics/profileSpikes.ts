/**
 * Profile detector (the default): each interval is compared with the usual power of the
 * same local half-hour on the same kind of day (weekday or weekend) over the previous
 * weeks, so the evening peak is expected at 19:00 and the night is expected to be low.
 *
 * The baseline is a median (robust to the odd oven or guest), built only from days at
 * least 90 % covered and not already flagged, so gaps and past anomalies do not drag it.
 * A rise must also exceed a small absolute floor (watts), so a few Wh at night do not
 * flag noise, and must last (default one hour) before it fires. Consecutive flagged
 * intervals make one event.
 */
import type { Anomaly, Language } from './anomalyTypes.js';
import { anomalyKey, roundTo, severityFor, toKwh } from './anomalyTypes.js';
import { profileSpikeMessage } from './anomalyMessages.js';
import { type LocalDay, type LocalInterval, median } from './localReadings.js';
import { addDays } from './periods.js';

const SLOT_MINUTES = 30;
const SLOTS = (24 * 60) / SLOT_MINUTES;
const MIN_DAY_COVERAGE = 0.9;
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

interface Flagged {
  interval: LocalInterval;
  baselineWatts: number;
  ratio: number;
}

/** Mean power per slot of one day; a slot seen twice (October's repeated hour) averages. */
function slotProfile(d: LocalDay): (number | undefined)[] {
  const sums = new Array<number>(SLOTS).fill(0);
  const counts = new Array<number>(SLOTS).fill(0);
  for (const i of d.intervals) {
    const slot = Math.floor(i.minuteOfDay / SLOT_MINUTES);
    sums[slot] = (sums[slot] as number) + i.watts;
    counts[slot] = (counts[slot] as number) + 1;
  }
  return sums.map((s, k) => ((counts[k] as number) > 0 ? s / (counts[k] as number) : undefined));
}

/** Baseline power per slot for a day, from usable earlier days of the same type. */
function baselineFor(
  day: LocalDay,
  history: readonly { day: LocalDay; profile: (number | undefined)[] }[],
): (number | undefined)[] {
  const baseline: (number | undefined)[] = [];
  for (let slot = 0; slot < SLOTS; slot++) {
    const samples: number[] = [];
    for (const h of history) {
      if (h.day.weekend !== day.weekend) continue;
      const v = h.profile[slot];
      if (v !== undefined) samples.push(v);
    }
    baseline.push(samples.length >= MIN_BASELINE_DAYS ? median(samples) : undefined);
  }
  return baseline;
}

export function detectProfileSpikes(days: readonly LocalDay[], opts: ProfileOptions): Anomaly[] {
  const flaggedDays = new Set<string>();
  const raised = opts.raisedDays ?? new Map<string, number>();
  const usable: { day: LocalDay; profile: (number | undefined)[] }[] = [];
  const events: Anomaly[] = [];
  let run: Flagged[] = [];

  const runMinutes = (): number => run.reduce((s, f) => s + f.interval.intervalSeconds / 60, 0);
  const markRunDays = (): void => {
    if (runMinutes() >= opts.minDurationMinutes)
      for (const f of run) flaggedDays.add(f.interval.day);
  };
  const closeRun = (): void => {
    if (run.length > 0 && runMinutes() >= opts.minDurationMinutes) {
      const event = toEvent(run, opts);
      if (event.start.getTime() < opts.to.getTime() && event.end.getTime() > opts.from.getTime()) {
        events.push(event);
      }
    }
    run = [];
  };

  for (const day of days) {
    const oldest = addDays(day.day, -opts.baselineDays);
    const history = usable.filter(
      (h) => h.day.day >= oldest && !flaggedDays.has(h.day.day) && !raised.has(h.day.day),
    );
    const baseline = baselineFor(day, history);
    const shift = raised.get(day.day) ?? 0;

    for (const interval of day.intervals) {
      const slotBaseline = baseline[Math.floor(interval.minuteOfDay / SLOT_MINUTES)];
      const last = run[run.length - 1];
      if (last && last.interval.endMs !== interval.startMs) closeRun();
      if (slotBaseline === undefined || !(slotBaseline + shift > 0)) {
        closeRun();
        continue;
      }
      const expected = slotBaseline + shift;
      const ratio = roundTo((interval.watts / expected) * 100, 6);
      const over =
        ratio > opts.thresholdPercent && interval.watts - expected >= opts.minExcessWatts;
      if (over) {
        run.push({ interval, baselineWatts: expected, ratio });
        markRunDays();
      } else closeRun();
    }

    if (day.coverage >= MIN_DAY_COVERAGE) usable.push({ day, profile: slotProfile(day) });
    // Only the last few weeks are ever consulted: drop older days to bound the work.
    const keepFrom = addDays(day.day, -opts.baselineDays);
    while (usable.length > 0 && (usable[0] as { day: LocalDay }).day.day < keepFrom) usable.shift();
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
