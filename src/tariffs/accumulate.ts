/**
 * One pass over the readings: kWh per band and stretch, injection, quarter-hours for the
 * capacity peak, and carbon buckets. Quantities are integers of micro-kWh from here on:
 * each reading's kWh is rounded to 0.000001 kWh (1 mWh) once, on the way in.
 */
import { InputError } from '../domain/errors.js';
import { bandOf } from './bands.js';
import { CarbonBuckets, type Country } from './carbon.js';
import { QuarterHours } from './capacity.js';
import { LocalClock } from './localClock.js';
import { EXCLUSIVE_NIGHT_BAND } from './schema.js';
import type { Segment } from './segments.js';
import type { TempoCalendar } from './tempoCalendar.js';

export interface PricingReading {
  /** Start of the interval, UTC. */
  start: Date;
  /** Interval length in seconds. */
  seconds: number;
  kwh: number;
  /** consumption: taken from the grid; production: injected into it. */
  metric: 'consumption' | 'production';
  /** The meter, for exclusive-night contracts. */
  deviceRef?: string;
}

export interface SegmentTotals {
  segment: Segment;
  /** Consumption per band, micro-kWh. */
  bands: Map<string, number>;
  /** Injection, micro-kWh. */
  injection: number;
  quarters: QuarterHours;
  readings: number;
}

export interface Accumulated {
  segments: SegmentTotals[];
  /** Every consumption reading given, those before the period included (peak history). */
  allQuarters: QuarterHours;
  carbon: Map<Country, CarbonBuckets>;
}

export function toMicroKwh(kwh: number): number {
  if (!Number.isFinite(kwh) || kwh < 0)
    throw new InputError(`a reading holds ${kwh} kWh: readings must be finite and not negative`);
  return Math.round(kwh * 1_000_000);
}

function segmentIndex(segments: readonly Segment[], ms: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid] as Segment;
    if (ms < s.from) hi = mid - 1;
    else if (ms >= s.to) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export function accumulate(
  segments: readonly Segment[],
  readings: readonly PricingReading[],
  zone: string,
  calendars: Readonly<Record<string, TempoCalendar>>,
): Accumulated {
  const totals: SegmentTotals[] = segments.map((segment) => ({
    segment,
    bands: new Map(),
    injection: 0,
    quarters: new QuarterHours(),
    readings: 0,
  }));
  const allQuarters = new QuarterHours();
  const carbon = new Map<Country, CarbonBuckets>();
  const clock = new LocalClock(zone);
  for (const r of readings) {
    const ms = r.start.getTime();
    const micro = toMicroKwh(r.kwh);
    if (r.metric === 'consumption') allQuarters.add(ms, r.seconds, micro);
    const i = segmentIndex(segments, ms);
    if (i < 0) continue;
    const t = totals[i] as SegmentTotals;
    const { plan, version, planName } = t.segment;
    t.readings++;
    if (r.metric === 'production') {
      t.injection += micro;
      continue;
    }
    const local = clock.local(ms);
    const exclusive =
      version.exclusiveNight && r.deviceRef !== undefined
        ? version.exclusiveNight.deviceRefs.includes(r.deviceRef)
        : false;
    const band = exclusive
      ? EXCLUSIVE_NIGHT_BAND
      : bandOf(plan.kind, version, local, calendars[planName] ?? null);
    t.bands.set(band, (t.bands.get(band) ?? 0) + micro);
    t.quarters.add(ms, r.seconds, micro);
    let c = carbon.get(plan.country);
    if (!c) carbon.set(plan.country, (c = new CarbonBuckets()));
    c.add(Number(local.month.slice(5, 7)) - 1, local.hour, micro);
  }
  return { segments: totals, allQuarters, carbon };
}
