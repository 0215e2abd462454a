/**
 * Benchmark (1b): detection quality on realistic simulated load (src/simulator/realisticLoad.ts)
 * over a grid of noise levels, for each method, scored against the injected faults.
 *
 * Each cell of the grid is a day-to-day variation and a per-interval noise; each meter of
 * a cell is a building (residential common parts or office) with holidays, gaps, DST days,
 * spikes of ×1.5, ×1.8 and ×2.5, doubled night loads and one lasting level shift. Detection
 * runs as each sync runs it: 30-day windows with the history checkAnomalies loads, an event
 * seen again keeps its key and takes its latest end (as the store does).
 *
 * Matching: an event matches a fault when their spans overlap; a doubled night is active
 * only 00:00–06:00 of its nights; a level shift counts as found only by an event within
 * two days of its start (later events during it are false alarms). A spike event may match
 * any fault; a night or level-shift event matches a doubled night or a level shift.
 */
import {
  detectAnomalies,
  type Anomaly,
  type AnomalyMethod,
} from '../../src/analytics/anomalies.js';
import { DEFAULT_BASELINE_DAYS } from '../../src/analytics/anomalyTypes.js';
import { f1Score, overlaps, type TimeSpan } from '../../src/analytics/evaluation.js';
import { addDays, localDayStartUtc, localWallToUtc, localDay } from '../../src/simulator/euTime.js';
import {
  createRealisticCase,
  realisticReadings,
  type RealisticCase,
  type RealisticReading,
} from '../../src/simulator/realisticFaults.js';

const DAY_MS = 86_400_000;
const ZONE = 'Europe/Brussels';
const WINDOW_DAYS = 30;
const HISTORY_DAYS: Record<AnomalyMethod, number> = {
  profile: DEFAULT_BASELINE_DAYS + 2,
  'moving-average': 9,
};
/** Seeds the thresholds and factors were chosen on, and the disjoint seeds reported. */
export const TUNING_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
export const REPORT_SEED_BASE = 1000;
/** Analysed year, after six weeks of history. */
export const FIRST_DAY = '2025-10-20';
export const ANALYSIS_FROM = '2025-12-01';
export const LAST_DAY = '2026-11-30';

export type FaultClass = 'spike ×1.5' | 'spike ×1.8' | 'spike ×2.5' | 'night ×2' | 'level shift';
export const FAULT_CLASSES: readonly FaultClass[] = [
  'spike ×1.5',
  'spike ×1.8',
  'spike ×2.5',
  'night ×2',
  'level shift',
];

interface Truth extends TimeSpan {
  cls: FaultClass;
}

export function truthsOf(c: RealisticCase): Truth[] {
  return c.meter.faults.map((f): Truth => {
    if (f.kind === 'spike') {
      const cls = `spike ×${f.factor}` as FaultClass;
      return { kind: 'spike', cls, start: new Date(f.startMs), end: new Date(f.endMs) };
    }
    if (f.kind === 'level_shift') {
      const end = new Date(f.startMs + 2 * DAY_MS);
      return { kind: 'level_shift', cls: 'level shift', start: new Date(f.startMs), end };
    }
    const parts = [];
    for (let d = localDay(f.startMs); d <= localDay(f.endMs - 1); d = addDays(d, 1)) {
      parts.push({ start: new Date(localWallToUtc(d, 0)), end: new Date(localWallToUtc(d, 6)) });
    }
    return {
      kind: 'night_baseload',
      cls: 'night ×2',
      start: new Date(f.startMs),
      end: new Date(f.endMs),
      parts,
    };
  });
}

export function accepts(eventKind: string | undefined, truthKind: string | undefined): boolean {
  if (eventKind === 'spike') return true;
  return truthKind === 'night_baseload' || truthKind === 'level_shift';
}

/** Detection in 30-day windows; an event seen again keeps its key and takes its new end. */
export function detectInWindows(
  readings: readonly RealisticReading[],
  method: AnomalyMethod,
  fromMs: number,
  toMs: number,
): Anomaly[] {
  const byKey = new Map<string, Anomaly>();
  for (let from = fromMs; from < toMs; from += WINDOW_DAYS * DAY_MS) {
    const to = Math.min(toMs, from + WINDOW_DAYS * DAY_MS);
    const historyFrom = from - HISTORY_DAYS[method] * DAY_MS;
    const slice = readings.filter((r) => {
      const t = r.timestamp.getTime();
      return t >= historyFrom && t < to;
    });
    for (const a of detectAnomalies(slice, {
      from: new Date(from),
      to: new Date(to),
      zone: ZONE,
      method,
    })) {
      const seen = byKey.get(a.key);
      if (!seen || a.end > seen.end) byKey.set(a.key, a);
    }
  }
  return [...byKey.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
}

export interface CellScore {
  events: number;
  falseAlarms: number;
  truths: number;
  found: number;
  meterMonths: number;
  perClass: Map<FaultClass, { truths: number; found: number }>;
}

export function emptyScore(): CellScore {
  return { events: 0, falseAlarms: 0, truths: 0, found: 0, meterMonths: 0, perClass: new Map() };
}

export function scoreMeter(score: CellScore, events: Anomaly[], truths: Truth[], months: number) {
  const match = (e: Anomaly, t: Truth) => overlaps(e, t) && accepts(e.kind, t.kind);
  score.events += events.length;
  score.falseAlarms += events.filter((e) => !truths.some((t) => match(e, t))).length;
  score.truths += truths.length;
  score.meterMonths += months;
  for (const t of truths) {
    const hit = events.some((e) => match(e, t));
    if (hit) score.found++;
    const c = score.perClass.get(t.cls) ?? { truths: 0, found: 0 };
    c.truths++;
    if (hit) c.found++;
    score.perClass.set(t.cls, c);
  }
}

export function summary(s: CellScore) {
  const precision = s.events === 0 ? 1 : (s.events - s.falseAlarms) / s.events;
  const recall = s.truths === 0 ? 1 : s.found / s.truths;
  return {
    precision,
    recall,
    f1: f1Score(precision, recall),
    faPerMonth: s.falseAlarms / s.meterMonths,
  };
}

export interface Cell {
  dayVariation: number;
  intervalNoise: number;
}

export const GRID: Cell[] = [0, 0.08, 0.15].flatMap((dayVariation) =>
  [0.05, 0.15, 0.25].map((intervalNoise) => ({ dayVariation, intervalNoise })),
);

/** Scores one method on `meters` realistic meters of a cell (seeds from `seedBase`). */
export function scoreCell(cell: Cell, method: AnomalyMethod, seeds: readonly number[]): CellScore {
  const score = emptyScore();
  const fromMs = localDayStartUtc(ANALYSIS_FROM);
  const toMs = localDayStartUtc(addDays(LAST_DAY, 1));
  const months = (toMs - fromMs) / DAY_MS / (365.25 / 12);
  for (const seed of seeds) {
    const c = createRealisticCase({ seed, firstDay: FIRST_DAY, lastDay: LAST_DAY, ...cell });
    const readings = realisticReadings(c);
    const window = { start: new Date(fromMs), end: new Date(toMs) };
    const truths = truthsOf(c).filter((t) => overlaps(t, window));
    scoreMeter(score, detectInWindows(readings, method, fromMs, toMs), truths, months);
  }
  return score;
}

const pct = (x: number): string => x.toFixed(3);
const pad = (s: string | number, n: number): string => String(s).padStart(n);

/** The issue's target cell (day-to-day 15 %, interval 15 %) gets 20 meter-years, the others fewer. */
const TARGET_METERS = 20;
const OTHER_METERS = 5;
const isTarget = (c: Cell): boolean => c.dayVariation === 0.15 && c.intervalNoise === 0.15;

export async function run(print: (line: string) => void): Promise<void> {
  const seedsFor = (c: Cell): number[] =>
    Array.from(
      { length: isTarget(c) ? TARGET_METERS : OTHER_METERS },
      (_, i) => REPORT_SEED_BASE + i,
    );
  const seeds = seedsFor(GRID[GRID.length - 2] as Cell);
  print('Detection on realistic simulated load (residential common parts and offices: holidays,');
  print('gaps, DST days, heating with cold spells; faults: spikes ×1.5/×1.8/×2.5 lasting 2–5 h,');
  print('doubled nights for 3–7 nights, one lasting level shift of 400–1200 W per meter-year)');
  print(
    `  report seeds ${seeds[0]}..${seeds.at(-1)}; thresholds were tuned on seeds ${TUNING_SEEDS.join(', ')} only`,
  );
  print('  level shift: found only by an event within two days of its start');
  print('');
  const head = FAULT_CLASSES.map((c) => pad(c, 12)).join('');
  print(`  method          day  int.  m-yr  events  FA/m-mo  precision  recall     F1${head}`);
  for (const method of ['profile', 'moving-average'] as const) {
    for (const cell of GRID) {
      const s = scoreCell(cell, method, seedsFor(cell));
      const m = summary(s);
      const classes = FAULT_CLASSES.map((c) => {
        const k = s.perClass.get(c);
        return pad(k ? `${k.found}/${k.truths}` : '-', 12);
      }).join('');
      print(
        `  ${method.padEnd(15)} ${pad(`${cell.dayVariation * 100}%`, 3)} ${pad(`${cell.intervalNoise * 100}%`, 4)} ${pad(seedsFor(cell).length, 5)} ${pad(s.events, 7)} ${pad(m.faPerMonth.toFixed(2), 8)} ${pad(pct(m.precision), 10)} ${pad(pct(m.recall), 7)} ${pad(pct(m.f1), 6)}${classes}`,
      );
    }
  }
  print('  FA/m-mo: false alarms per meter-month; per fault class: faults found / injected');
}
