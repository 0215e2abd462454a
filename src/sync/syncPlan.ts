/**
 * The planning step of a meter's sync, pure: its local "today" and history horizon, the
 * windows to ask, the series to ask in each, and the bounds the run is recorded with.
 */
import { localDayOf, localDayStart } from '../domain/localDays.js';
import type { MetricType } from '../domain/readings.js';
import type { LoadCurveKind } from '../providers/types.js';
import { earliestDay, planWindows, type Window } from './windows.js';

export interface SyncHorizon {
  zone: string;
  /** Today in the provider's zone. */
  today: string;
  /** The first day the provider still holds. */
  earliest: string;
}

export function syncHorizon(
  now: Date,
  settings: { timeZone: string; historyDays: number },
): SyncHorizon {
  const today = localDayOf(now, settings.timeZone);
  return { zone: settings.timeZone, today, earliest: earliestDay(today, settings.historyDays) };
}

export interface WindowPlanInput {
  horizon: SyncHorizon;
  settings: { historyDays: number; maxDaysPerCall: number };
  overlapDays: number;
  device: { checkpoint_at: Date | string | null; data_start_at: Date | string | null };
  fromDay?: string;
  toDay?: string;
  gapDays: string[];
  maxGapWindows: number;
}

/** The windows of this sync, from the device's checkpoint, data start and pending gaps. */
export function planDeviceWindows(p: WindowPlanInput): Window[] {
  const zone = p.horizon.zone;
  const dayOf = (v: Date | string | null) => (v ? localDayOf(new Date(v), zone) : null);
  return planWindows({
    today: p.horizon.today,
    historyDays: p.settings.historyDays,
    maxDaysPerCall: p.settings.maxDaysPerCall,
    overlapDays: p.overlapDays,
    checkpointDay: dayOf(p.device.checkpoint_at),
    dataStartDay: dayOf(p.device.data_start_at),
    fromDay: p.fromDay,
    toDay: p.toDay,
    gapDays: p.gapDays,
    maxGapWindows: p.maxGapWindows,
  });
}

/** What the run row records as its window: the first range window's start to the last end. */
export function runBounds(
  windows: Window[],
  zone: string,
): { start: Date | null; end: Date | null } {
  const first = windows.find((w) => w.kind === 'range') ?? windows[0];
  const last = windows[windows.length - 1];
  return {
    start: first ? localDayStart(first.fromDay, zone) : null,
    end: last ? localDayStart(last.toDay, zone) : null,
  };
}

/** The range of the result: the first window's start to the last window's end, in UTC. */
export function resultRange(
  windows: Window[],
  zone: string,
): { start: string; end: string } | null {
  const first = windows[0];
  const last = windows[windows.length - 1];
  if (!first || !last) return null;
  return {
    start: localDayStart(first.fromDay, zone).toISOString(),
    end: localDayStart(last.toDay, zone).toISOString(),
  };
}

/** The last day any window reaches (at least today): where an activation search stops. */
export function lastPlannedDay(windows: Window[], today: string): string {
  return windows.reduce((m, w) => (w.toDay > m ? w.toDay : m), today);
}

export interface SeriesToFetch {
  kind: LoadCurveKind;
  metric: MetricType;
}

/** Consumption always; production when the configuration asks for it. */
export function seriesToFetch(production: boolean): SeriesToFetch[] {
  const out: SeriesToFetch[] = [{ kind: 'consumption', metric: 'electricity_consumption' }];
  if (production) out.push({ kind: 'production', metric: 'electricity_production' });
  return out;
}
