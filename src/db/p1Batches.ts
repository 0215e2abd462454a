/**
 * One batch of a P1 meter's listener, written in one transaction: the quarter-hour readings,
 * the month's peak as the meter states it, the events (gaps, quiet periods, register
 * resets, a wrong clock), the counters, and the accumulator's state as of this batch. As the
 * state and the readings commit together, a listener restarted from the stored state neither
 * loses nor repeats a quarter-hour.
 */
import type { Reading } from '../domain/readings.js';
import type { AccumulatorState, P1MonthPeak } from '../providers/p1/index.js';
import { upsertReadings } from './readings.js';
import type { Queryable } from './types.js';

export type P1EventKind = 'gap' | 'quiet' | 'register_reset' | 'clock_suspect';

export interface P1EventRow {
  kind: P1EventKind;
  from: Date;
  to: Date | null;
  detail: Record<string, unknown>;
}

export interface P1BatchWrite {
  deviceId: string;
  buildingId: string;
  deviceRef: string;
  readings: Reading[];
  peaks: P1MonthPeak[];
  events: P1EventRow[];
  state: AccumulatorState;
  acceptedDelta: number;
  rejected: Partial<Record<string, number>>;
  /** The last good telegram's own timestamp and its arrival, when the batch had one. */
  lastTelegramAt: Date | null;
  lastArrivalAt: Date | null;
  /** Set when the meter went quiet in this batch, cleared (false) when it spoke again. */
  quietSince: Date | null | false;
}

async function upsertPeaks(
  q: Queryable,
  b: Pick<P1BatchWrite, 'buildingId' | 'deviceRef' | 'peaks'>,
): Promise<void> {
  // The meter's own figure (1-0:1.6.0) is what the DSO bills: it replaces a computed one.
  for (const p of b.peaks) {
    await q.query(
      `INSERT INTO meter_peaks (building_id, device_ref, month, peak_at, kw, source)
       VALUES ($1, $2, $3::date, $4, $5, 'p1')
       ON CONFLICT (building_id, device_ref, month) DO UPDATE
          SET peak_at = EXCLUDED.peak_at, kw = EXCLUDED.kw, source = 'p1'`,
      [b.buildingId, b.deviceRef, `${p.month}-01`, p.at === null ? null : new Date(p.at), p.kw],
    );
  }
}

async function insertEvents(q: Queryable, deviceId: string, events: P1EventRow[]) {
  for (const e of events) {
    // A quiet period is first stored open (to_at null) and closed when the meter speaks.
    await q.query(
      `INSERT INTO p1_events (device_id, kind, from_at, to_at, detail)
       VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (device_id, kind, from_at) DO UPDATE
          SET to_at = EXCLUDED.to_at, detail = EXCLUDED.detail`,
      [deviceId, e.kind, e.from, e.to, JSON.stringify(e.detail)],
    );
  }
}

/** Writes a batch; returns the readings inserted or changed. */
export async function saveP1Batch(q: Queryable, b: P1BatchWrite): Promise<number> {
  const written = b.readings.length > 0 ? await upsertReadings(q, b.readings) : 0;
  await upsertPeaks(q, b);
  await insertEvents(q, b.deviceId, b.events);
  const rejected = Object.entries(b.rejected).filter(([, n]) => (n ?? 0) > 0);
  await q.query(
    `UPDATE p1_meters
        SET resume_state = $2::jsonb,
            telegrams_accepted = telegrams_accepted + $3,
            telegrams_rejected = (
              SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM (
                SELECT k, sum(v)::bigint AS v FROM (
                  SELECT key AS k, value::bigint AS v FROM jsonb_each_text(telegrams_rejected)
                  UNION ALL
                  SELECT key, value::bigint FROM jsonb_each_text($4::jsonb)
                ) t GROUP BY k
              ) s),
            last_telegram_at = coalesce($5, last_telegram_at),
            last_arrival_at = coalesce($6, last_arrival_at),
            quiet_since = CASE WHEN $7::boolean THEN $8::timestamptz ELSE quiet_since END,
            updated_at = now()
      WHERE device_id = $1`,
    [
      b.deviceId,
      JSON.stringify(b.state),
      b.acceptedDelta,
      JSON.stringify(Object.fromEntries(rejected)),
      b.lastTelegramAt,
      b.lastArrivalAt,
      b.quietSince !== null,
      b.quietSince === false || b.quietSince === null ? null : b.quietSince,
    ],
  );
  return written;
}

/** Readings and counters of a P1 meter's events, for `status`. */
export async function recentP1Events(
  q: Queryable,
  deviceId: string,
  limit = 5,
): Promise<P1EventRow[]> {
  const r = await q.query<{
    kind: P1EventKind;
    from_at: Date;
    to_at: Date | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT kind, from_at, to_at, detail FROM p1_events WHERE device_id = $1
      ORDER BY from_at DESC LIMIT $2`,
    [deviceId, limit],
  );
  return r.rows.map((x) => ({
    kind: x.kind,
    from: new Date(x.from_at),
    to: x.to_at ? new Date(x.to_at) : null,
    detail: x.detail,
  }));
}

export async function countP1Events(
  q: Queryable,
  deviceId: string,
): Promise<Partial<Record<P1EventKind, number>>> {
  const r = await q.query<{ kind: P1EventKind; n: number }>(
    'SELECT kind, count(*)::int AS n FROM p1_events WHERE device_id = $1 GROUP BY kind',
    [deviceId],
  );
  return Object.fromEntries(r.rows.map((x) => [x.kind, x.n]));
}
