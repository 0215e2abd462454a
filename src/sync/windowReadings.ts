/**
 * Mapping a window's answers to stored readings, and its gap days: pure steps of a sync.
 */
import { localDayOf, localDayStart } from '../domain/localDays.js';
import type { IntervalReading, MetricType, Reading } from '../domain/readings.js';
import { coverageByDay, type Window } from './windows.js';

export interface ReadingTarget {
  building_id: string;
  prm: string;
}

/** A provider's intervals as readings of one metric of a meter, tagged with their source. */
export function toReadings(
  meter: ReadingTarget,
  metric: MetricType,
  source: string,
  intervals: IntervalReading[],
): Reading[] {
  return intervals.map((r) => ({
    buildingId: meter.building_id,
    deviceRef: meter.prm,
    deviceType: 'electricity_meter' as const,
    metricType: metric,
    timestamp: r.start,
    intervalSeconds: r.intervalSeconds,
    value: r.kwh,
    unit: 'kWh',
    source,
  }));
}

export interface GapDay {
  day: string;
  expected: number;
  found: number;
}

export interface WindowCoverage {
  /** Every day of the window, checked: its gap row is replaced by what was found. */
  checkedDays: string[];
  /** Days from the data start on that are not fully covered. */
  gaps: GapDay[];
  /** The first instant with data, lowered when this window holds an earlier day. */
  dataStart: Date | null;
}

/**
 * Which days of a window are covered by its consumption readings. The first day with data
 * is where gaps start to count; an earlier --from can lower it.
 */
export function windowCoverage(
  readings: Reading[],
  window: Window,
  zone: string,
  dataStart: Date | null,
): WindowCoverage {
  const consumption = readings
    .filter((r) => r.metricType === 'electricity_consumption')
    .map((r) => ({ start: r.timestamp, intervalSeconds: r.intervalSeconds, kwh: r.value }));
  const cov = coverageByDay(consumption, window, zone);
  let start = dataStart;
  const firstDay = cov.find((c) => c.readings > 0);
  if (firstDay) {
    const d = localDayStart(firstDay.day, zone);
    if (!start || d < start) start = d;
  }
  const startDay = start ? localDayOf(start, zone) : null;
  const gaps = cov
    .filter((c) => startDay !== null && c.day >= startDay && c.coveredSeconds < c.expectedSeconds)
    .map((c) => ({ day: c.day, expected: c.expectedSeconds, found: c.coveredSeconds }));
  return { checkedDays: cov.map((c) => c.day), gaps, dataStart: start };
}
