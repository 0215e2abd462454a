/**
 * The month's highest quarter-hour demand of a building: measured by a P1 meter where it
 * gives it (`meter_peaks`, source "p1"), else computed from quarter-hour readings
 * ("quarter-hour"), else spread from longer intervals ("estimated": a 30-minute curve
 * hides the peak inside its half-hour, so the real one can only be higher). With several
 * P1 meters in a building, the month's highest of them is shown.
 */
import { DateTime } from 'luxon';
import { meterPeaks } from '../db/meterPeaks.js';
import type { Queryable } from '../db/types.js';
import { monthlyPeaks, type PricingReading } from '../tariffs/index.js';
import { readingsBetween } from './costs.js';

export type PeakOrigin = 'p1' | 'quarter-hour' | 'estimated';

export interface MonthPeak {
  month: string;
  kw: number;
  at: Date | null;
  source: PeakOrigin;
}

/** Measured peaks, as the pricing core takes them (they replace the computed ones). */
export type MeasuredPeak = { month: string; kw: number; at: Date | null };

const monthOf = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM');

/** P1 peaks of the months [from, to) touches, the highest meter's per month. */
export async function measuredPeaks(
  q: Queryable,
  buildingId: string,
  zone: string,
  from: Date,
  to: Date,
  deviceRef?: string,
): Promise<MeasuredPeak[]> {
  const last = new Date(to.getTime() - 1);
  const rows = await meterPeaks(q, {
    buildingId,
    fromMonth: monthOf(from, zone),
    toMonth: monthOf(last, zone),
    deviceRef,
  });
  const best = new Map<string, MeasuredPeak>();
  for (const r of rows) {
    const b = best.get(r.month);
    if (!b || r.kw > b.kw) best.set(r.month, { month: r.month, kw: r.kw, at: r.at });
  }
  return [...best.values()];
}

/** Each month's peak in [from, to): measured where a P1 meter gave it, else from readings. */
export function monthPeaks(
  readings: readonly PricingReading[],
  measured: readonly MeasuredPeak[],
  zone: string,
  from: Date,
  to: Date,
): MonthPeak[] {
  const out = new Map<string, MonthPeak>();
  for (const p of monthlyPeaks(readingsBetween(readings, from, to), zone))
    out.set(p.month, {
      month: p.month,
      kw: Number(p.peakKw),
      at: p.at,
      source: p.source === 'estimated' ? 'estimated' : 'quarter-hour',
    });
  for (const m of measured) out.set(m.month, { ...m, source: 'p1' });
  return [...out.values()].sort((a, b) => a.month.localeCompare(b.month));
}
