/**
 * Benchmark (1): anomaly detection quality on simulated meters with injected faults.
 *
 * Several simulated meters (both providers, a 15-minute meter, a meter whose step changes
 * from 60 to 30 minutes, a recently activated one, one with gaps in its data) give a year
 * of load curve plus the history before it, straight from the simulator's load model (no
 * HTTP). Both methods run on the same readings the way the product runs them: 30-day
 * analysis windows, each with the history its baseline needs, anomalies de-duplicated by
 * key as the store does. Each method is scored against the injected ground truth.
 */
import {
  detectAnomalies,
  type Anomaly,
  type AnomalyMethod,
} from '../../src/analytics/anomalies.js';
import type { IntervalValue } from '../../src/analytics/anomalyTypes.js';
import { DEFAULT_BASELINE_DAYS } from '../../src/analytics/anomalyTypes.js';
import {
  evaluateDetections,
  f1Score,
  overlaps,
  type Evaluation,
  type TimeSpan,
} from '../../src/analytics/evaluation.js';
import type { ProviderName } from '../../src/simulator/providerNames.js';
import { addDays, localDay, localDayStartUtc, localWallToUtc } from '../../src/simulator/euTime.js';
import {
  intervalKwh,
  meterIntervals,
  NIGHT_END_HOUR,
  type AnomalyKind as TruthKind,
  type SimMeter,
} from '../../src/simulator/loadModel.js';
import { createSimMeter } from '../../src/simulator/meters.js';
import { run as runRealistic } from './detectionRealistic.js';

export const ZONE = 'Europe/Brussels';
const DAY_MS = 86_400_000;
/** The product analyses the last 30 days at each sync. */
export const WINDOW_DAYS = 30;
/** As checkAnomalies: the baseline's days plus two days of slack (a week for the moving average). */
const HISTORY_DAYS: Record<AnomalyMethod, number> = {
  profile: DEFAULT_BASELINE_DAYS + 2,
  'moving-average': 7 + 2,
};
export const TRUTH_KINDS: readonly TruthKind[] = [
  'evening_spike',
  'night_baseload',
  'stuck_heater',
];

/**
 * Which detected kinds may match which injected kinds. A spike event may match any fault
 * (a doubled night can surface as night spikes, a stuck heater is a long spike); a
 * night-baseload event matches a doubled night or a stuck heater running through the
 * night (which does raise the night's load), never an evening spike.
 */
export function accepts(eventKind: string | undefined, truthKind: string | undefined): boolean {
  if (eventKind === 'spike') return true;
  return truthKind === 'night_baseload' || truthKind === 'stuck_heater';
}

export interface MeterCase {
  label: string;
  meter: SimMeter;
  /** Local days removed from the readings (a meter that failed to report). */
  missingDays?: ReadonlySet<string>;
  /** Local days cut at noon (a partial day). */
  partialDays?: ReadonlySet<string>;
}

export function simMeter(provider: ProviderName, rank: number, nowMs: number, seed = 42): SimMeter {
  return createSimMeter(provider, seed, rank, nowMs);
}

/** The meter's readings over [fromMs, toMs), as the tool stores them (UTC start, kWh). */
export function simulatedReadings(c: MeterCase, fromMs: number, toMs: number): IntervalValue[] {
  const out: IntervalValue[] = [];
  for (const i of meterIntervals(c.meter, fromMs, toMs)) {
    const day = localDay(i.startMs);
    if (c.missingDays?.has(day)) continue;
    if (c.partialDays?.has(day) && i.startMs >= localDayStartUtc(day) + 12 * 3_600_000) continue;
    out.push({
      timestamp: new Date(i.startMs),
      intervalSeconds: i.stepMinutes * 60,
      value: intervalKwh(c.meter, i.startMs, i.stepMinutes),
    });
  }
  return out;
}

/**
 * Injected faults overlapping [fromMs, toMs). A raised night baseload is active only
 * from midnight to 06:00 on each of its nights: those nights are its parts, so an event
 * in the evenings between them does not count as finding it.
 */
export function truthsIn(meter: SimMeter, fromMs: number, toMs: number): TimeSpan[] {
  const window = { start: new Date(fromMs), end: new Date(toMs) };
  return meter.anomalies
    .map((a): TimeSpan => {
      const t: TimeSpan = { kind: a.kind, start: new Date(a.start), end: new Date(a.end) };
      if (a.kind !== 'night_baseload') return t;
      const parts = [];
      const last = localDay(Date.parse(a.end) - 1);
      for (let d = localDay(Date.parse(a.start)); d <= last; d = addDays(d, 1)) {
        parts.push({
          start: new Date(localWallToUtc(d, 0)),
          end: new Date(localWallToUtc(d, NIGHT_END_HOUR)),
        });
      }
      return { ...t, parts };
    })
    .filter((t) => overlaps(t, window));
}

/**
 * Runs a method over [fromMs, toMs) in consecutive 30-day windows, each given only the
 * history checkAnomalies would load, and keeps each anomaly key once (as the store does).
 */
export function detectInWindows(
  readings: readonly IntervalValue[],
  method: AnomalyMethod,
  fromMs: number,
  toMs: number,
  minDurationMinutes?: number,
): Anomaly[] {
  const byKey = new Map<string, Anomaly>();
  for (let from = fromMs; from < toMs; from += WINDOW_DAYS * DAY_MS) {
    const to = Math.min(toMs, from + WINDOW_DAYS * DAY_MS);
    const historyFrom = from - HISTORY_DAYS[method] * DAY_MS;
    const slice = readings.filter((r) => {
      const t = r.timestamp.getTime();
      return t >= historyFrom && t < to;
    });
    const found = detectAnomalies(slice, {
      from: new Date(from),
      to: new Date(to),
      zone: ZONE,
      method,
      ...(minDurationMinutes === undefined ? {} : { minDurationMinutes }),
    });
    for (const a of found) if (!byKey.has(a.key)) byKey.set(a.key, a);
  }
  return [...byKey.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

export interface MethodScore {
  /** The method, and its settings when not the defaults. */
  title: string;
  overall: Evaluation;
  /** Per injected kind: truths, recalled, and F1 against the events that may match it. */
  perTruthKind: { kind: TruthKind; truths: number; recalled: number; recall: number; f1: number }[];
  /** Per detected kind: events and false alarms. */
  perEventKind: { kind: string; events: number; falseAlarms: number; precision: number }[];
  /** Distinct (meter, local day) pairs holding at least one false alarm. */
  falseAlarmDays: number;
  runtimeMs: number;
}

export interface MeterRun {
  label: string;
  events: Anomaly[];
  truths: TimeSpan[];
}

export function scoreMethod(
  title: string,
  runs: readonly MeterRun[],
  runtimeMs: number,
): MethodScore {
  const events = runs.flatMap((r) => r.events);
  const truths = runs.flatMap((r) => r.truths);
  // Matching stays within a meter: score per meter and add up.
  const per = runs.map((r) => ({ run: r, e: evaluateDetections(r.events, r.truths, { accepts }) }));
  const matchedEvents = per.reduce((s, p) => s + p.e.matchedEvents, 0);
  const recalledTruths = per.reduce((s, p) => s + p.e.recalledTruths, 0);
  const precision = events.length === 0 ? 1 : matchedEvents / events.length;
  const recall = truths.length === 0 ? 1 : recalledTruths / truths.length;
  const overall: Evaluation = {
    events: events.length,
    truths: truths.length,
    matchedEvents,
    falseAlarms: events.length - matchedEvents,
    recalledTruths,
    precision,
    recall,
    f1: f1Score(precision, recall),
  };

  const falseAlarm = (r: MeterRun, e: Anomaly): boolean =>
    !r.truths.some((t) => overlaps(e, t) && accepts(e.kind, t.kind));
  const eventKinds = [...new Set(events.map((e) => e.kind))].sort();
  const perEventKind = eventKinds.map((kind) => {
    const list = runs.flatMap((r) =>
      r.events.filter((e) => e.kind === kind).map((e) => ({ r, e })),
    );
    const falseAlarms = list.filter(({ r, e }) => falseAlarm(r, e)).length;
    const n = list.length;
    return { kind, events: n, falseAlarms, precision: n === 0 ? 1 : (n - falseAlarms) / n };
  });

  const perTruthKind = TRUTH_KINDS.map((kind) => {
    const own = runs.map((r) => ({ r, t: r.truths.filter((t) => t.kind === kind) }));
    const truthsN = own.reduce((s, o) => s + o.t.length, 0);
    const recalled = own.reduce(
      (s, o) =>
        s +
        o.t.filter((t) => o.r.events.some((e) => overlaps(e, t) && accepts(e.kind, kind))).length,
      0,
    );
    // Precision of the events that could have matched this kind of fault.
    const candidates = runs.flatMap((r) =>
      r.events.filter((e) => accepts(e.kind, kind)).map((e) => ({ r, e })),
    );
    const good = candidates.filter(({ r, e }) => !falseAlarm(r, e)).length;
    const p = candidates.length === 0 ? 1 : good / candidates.length;
    const rec = truthsN === 0 ? 1 : recalled / truthsN;
    return { kind, truths: truthsN, recalled, recall: rec, f1: f1Score(p, rec) };
  });

  const days = new Set<string>();
  for (const r of runs)
    for (const e of r.events)
      if (falseAlarm(r, e)) days.add(`${r.label}/${localDay(e.start.getTime())}`);

  return { title, overall, perTruthKind, perEventKind, falseAlarmDays: days.size, runtimeMs };
}

/** Ten meters: both providers, 15-minute steps, a step change, a late activation, gaps. */
export function benchMeters(nowMs: number): MeterCase[] {
  const spec: [ProviderName, number, string][] = [
    ['ores', 0, 'ORES #0'],
    ['ores', 1, 'ORES #1 (gaps, partial days)'],
    ['ores', 2, 'ORES #2'],
    ['ores', 3, 'ORES #3 (activated < 13 months ago)'],
    ['ores', 4, 'ORES #4 (15-minute)'],
    ['enedis', 0, 'Enedis #0'],
    ['enedis', 1, 'Enedis #1'],
    ['enedis', 2, 'Enedis #2'],
    ['enedis', 4, 'Enedis #4 (15-minute)'],
    ['enedis', 5, 'Enedis #5 (60 → 30 minutes)'],
  ];
  return spec.map(([provider, rank, label]) => {
    const meter = simMeter(provider, rank, nowMs);
    const c: MeterCase = { label, meter };
    if (label.includes('gaps')) Object.assign(c, gapsAwayFromFaults(meter, nowMs));
    return c;
  });
}

/**
 * Two missing days every seven weeks and a partial day every five, placed away from the
 * injected faults: a fault inside a hole cannot be seen, which would measure the gap, not
 * the detector.
 */
function gapsAwayFromFaults(
  meter: SimMeter,
  nowMs: number,
): Pick<MeterCase, 'missingDays' | 'partialDays'> {
  const today = localDay(nowMs);
  const nearFault = (day: string): boolean => {
    const span = {
      start: new Date(localDayStartUtc(addDays(day, -1))),
      end: new Date(localDayStartUtc(addDays(day, 2))),
    };
    return meter.anomalies.some((a) =>
      overlaps(span, { start: new Date(a.start), end: new Date(a.end) }),
    );
  };
  const missingDays = new Set<string>();
  const partialDays = new Set<string>();
  for (let back = 20; back < 450; back++) {
    const day = addDays(today, -back);
    if (nearFault(day)) continue;
    if (back % 49 === 0) missingDays.add(day).add(addDays(day, 1));
    else if (back % 35 === 0) partialDays.add(day);
  }
  return { missingDays, partialDays };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const pad = (s: string | number, n: number): string => String(s).padStart(n);

/** The simulated "today": fixed, so every run prints the same figures. */
export const BENCH_NOW_MS = Date.UTC(2026, 11, 1, 12);

export async function run(print: (line: string) => void): Promise<void> {
  await runRealistic(print);
  print('');
  const today = localDay(BENCH_NOW_MS);
  const fromMs = localDayStartUtc(addDays(today, -365));
  const toMs = localDayStartUtc(today);
  const historyFromMs = fromMs - Math.max(...Object.values(HISTORY_DAYS)) * DAY_MS;
  const cases = benchMeters(BENCH_NOW_MS);
  const data = cases.map((c) => ({
    c,
    readings: simulatedReadings(c, historyFromMs, toMs),
    truths: truthsIn(c.meter, fromMs, toMs),
  }));

  print('Anomaly detection quality on simulated meters (injected faults = ground truth)');
  print(
    `  ${cases.length} meters, analysed ${localDay(fromMs)} .. ${addDays(today, -1)} (${WINDOW_DAYS}-day windows as each sync runs them, history before each window as checkAnomalies loads it)`,
  );
  for (const d of data) {
    const kinds = TRUTH_KINDS.map((k) => d.truths.filter((t) => t.kind === k).length);
    print(
      `  ${d.c.label.padEnd(38)} ${pad(d.readings.length, 6)} readings, faults: ${kinds[0]} evening spike, ${kinds[1]} night baseload, ${kinds[2]} stuck heater`,
    );
  }
  print('  Match: an event matches a fault when their time spans overlap; a spike event may match');
  print('  any fault, a night-baseload event a doubled night or a stuck heater running through');
  print('  the night. Events are counted as reported (the moving average reports each interval).');
  print('');

  const variants: { title: string; method: AnomalyMethod; minDurationMinutes?: number }[] = [
    { title: 'profile', method: 'profile' },
    { title: 'moving-average', method: 'moving-average' },
  ];
  const scores: MethodScore[] = [];
  for (const v of variants) {
    const started = performance.now();
    const runs: MeterRun[] = data.map((d) => ({
      label: d.c.label,
      events: detectInWindows(d.readings, v.method, fromMs, toMs, v.minDurationMinutes),
      truths: d.truths,
    }));
    scores.push(scoreMethod(v.title, runs, performance.now() - started));
  }

  for (const s of scores) {
    const o = s.overall;
    print(`method ${s.title}`);
    print(
      `  events ${o.events}, faults ${o.truths}, true positives ${o.matchedEvents}, false alarms ${o.falseAlarms} (on ${s.falseAlarmDays} meter-days), faults found ${o.recalledTruths}`,
    );
    print(
      `  precision ${pct(o.precision)}, recall ${pct(o.recall)}, F1 ${o.f1.toFixed(3)}, runtime ${s.runtimeMs.toFixed(0)} ms`,
    );
    for (const k of s.perTruthKind) {
      print(
        `    fault ${k.kind.padEnd(15)} found ${pad(k.recalled, 3)}/${pad(k.truths, 3)}  recall ${pad(pct(k.recall), 7)}  F1 ${k.f1.toFixed(3)}`,
      );
    }
    for (const k of s.perEventKind) {
      print(
        `    event ${k.kind.padEnd(15)} ${pad(k.events, 5)} events, ${pad(k.falseAlarms, 5)} false alarms, precision ${pct(k.precision)}`,
      );
    }
    print('');
  }
  print("  per-kind F1: that kind's recall with the precision of the events that may match it");
}
