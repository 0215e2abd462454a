/**
 * Monthly peaks a meter measured itself: the P1 port's `1-0:1.6.0` register (this month's
 * highest quarter-hour average demand, the Belgian capacity tariff's base), stored by the
 * P1 listener in `meter_peaks`. The table comes with the P1 migration: a database that has
 * not got it yet simply has no measured peaks.
 */
import type { Queryable } from './types.js';

export interface StoredMeterPeak {
  deviceRef: string;
  /** Local month, `YYYY-MM`. */
  month: string;
  at: Date | null;
  kw: number;
}

export async function hasMeterPeaks(q: Queryable): Promise<boolean> {
  const r = await q.query<{ present: boolean }>(
    `SELECT to_regclass('meter_peaks') IS NOT NULL AS present`,
  );
  return !!r.rows[0]?.present;
}

/** The P1 peaks of a building's meters for the months [fromMonth, toMonth] (`YYYY-MM`). */
export async function meterPeaks(
  q: Queryable,
  f: { buildingId: string; fromMonth: string; toMonth: string; deviceRef?: string },
): Promise<StoredMeterPeak[]> {
  if (!(await hasMeterPeaks(q))) return [];
  const params: unknown[] = [f.buildingId, `${f.fromMonth}-01`, `${f.toMonth}-01`];
  if (f.deviceRef) params.push(f.deviceRef);
  const r = await q.query<{ device_ref: string; month: string; peak_at: Date | null; kw: number }>(
    `SELECT device_ref, to_char(month, 'YYYY-MM') AS month, peak_at, kw::float8 AS kw
       FROM meter_peaks
      WHERE building_id = $1 AND source = 'p1' AND month >= $2::date AND month <= $3::date
        ${f.deviceRef ? 'AND device_ref = $4' : ''}
      ORDER BY month, device_ref`,
    params,
  );
  return r.rows.map((x) => ({
    deviceRef: x.device_ref,
    month: x.month,
    at: x.peak_at === null ? null : new Date(x.peak_at),
    kw: Number(x.kw),
  }));
}
