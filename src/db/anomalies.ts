/**
 * Stored anomalies. A detected anomaly is identified by its series, kind, method and start
 * (the table's unique key), so running detection again over the same data stores nothing
 * twice: storeAnomalies returns only the rows it really inserted, which is what decides
 * whether an alert goes out. An event seen again after it grew (a later end, a higher peak,
 * no longer ongoing), or under a moved start or as the level shift it turned out to be,
 * updates its stored row in place, without a new alert.
 */
import { NotFoundError, UsageError } from '../domain/errors.js';
import type { Queryable } from './types.js';

export type AnomalySeverity = 'minor' | 'major' | 'critical';

/** An anomaly as the detector found it, with the series it belongs to. */
export interface NewAnomaly {
  buildingId: string;
  deviceRef: string;
  metricType: string;
  kind: string;
  method: string;
  start: Date;
  end: Date;
  /** kWh per interval (peak interval, or mean night level). */
  value: number;
  baseline: number;
  variancePercent: number;
  severity: AnomalySeverity;
  message: string;
  /** Highest average power of the event, W. */
  peakWatts?: number;
  /** level_shift: the lasting rise, W. */
  sizeWatts?: number;
  /** Still lasting at the end of the data it was found in. */
  ongoing?: boolean;
}

export interface StoredAnomaly extends NewAnomaly {
  id: string;
  detectedAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

interface AnomalyRow {
  id: string;
  building_id: string;
  device_ref: string;
  metric_type: string;
  kind: string;
  method: string;
  start_at: Date | string;
  end_at: Date | string;
  value: number;
  baseline: number;
  variance_percent: number;
  severity: AnomalySeverity;
  message: string;
  detected_at: Date | string;
  acknowledged_at: Date | string | null;
  acknowledged_by: string | null;
  peak_watts: number | null;
  size_w: number | null;
  ongoing: boolean;
}

const COLUMNS = `id, building_id, device_ref, metric_type, kind, method, start_at, end_at, value,
  baseline, variance_percent, severity, message, detected_at, acknowledged_at, acknowledged_by,
  peak_watts, size_w, ongoing`;

function fromRow(r: AnomalyRow): StoredAnomaly {
  return {
    id: r.id,
    buildingId: r.building_id,
    deviceRef: r.device_ref,
    metricType: r.metric_type,
    kind: r.kind,
    method: r.method,
    start: new Date(r.start_at),
    end: new Date(r.end_at),
    value: Number(r.value),
    baseline: Number(r.baseline),
    variancePercent: Number(r.variance_percent),
    severity: r.severity,
    message: r.message,
    detectedAt: new Date(r.detected_at),
    acknowledgedAt: r.acknowledged_at === null ? null : new Date(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    ...(r.peak_watts === null ? {} : { peakWatts: Number(r.peak_watts) }),
    ...(r.size_w === null ? {} : { sizeWatts: Number(r.size_w) }),
    ongoing: r.ongoing === true,
  };
}

function identity(a: NewAnomaly): string {
  return [a.buildingId, a.deviceRef, a.metricType, a.kind, a.method, a.start.toISOString()].join(
    '\u0000',
  );
}

/**
 * Stores anomalies: new ones are inserted, those already stored take the new end, peak,
 * value, severity and message when the event grew (or its `ongoing` changed). Returns the
 * newly inserted ones only, oldest first: an alert goes out once per event. Run it in the
 * transaction that also queues their notifications.
 */
export async function storeAnomalies(
  tx: Queryable,
  rows: readonly NewAnomaly[],
): Promise<StoredAnomaly[]> {
  const unique = new Map<string, NewAnomaly>();
  // The same event twice in one batch: the one reaching furthest wins.
  for (const a of rows) {
    const seen = unique.get(identity(a));
    if (!seen || a.end > seen.end) unique.set(identity(a), a);
  }
  const list: NewAnomaly[] = [];
  for (const a of unique.values()) {
    if (!(await mergeIntoOverlapping(tx, a))) list.push(a);
  }
  if (list.length === 0) return [];
  const r = await tx.query<AnomalyRow & { inserted: boolean }>(
    `INSERT INTO anomalies (building_id, device_ref, metric_type, kind, method, start_at, end_at,
                            value, baseline, variance_percent, severity, message,
                            peak_watts, size_w, ongoing)
     SELECT u.building_id, u.device_ref, u.metric_type, u.kind, u.method, u.start_at, u.end_at,
            u.value, u.baseline, u.variance_percent, u.severity, u.message,
            u.peak_watts, u.size_w, u.ongoing
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                   $6::timestamptz[], $7::timestamptz[], $8::float8[], $9::float8[],
                   $10::float8[], $11::text[], $12::text[], $13::float8[], $14::float8[],
                   $15::boolean[])
         AS u(building_id, device_ref, metric_type, kind, method, start_at, end_at,
              value, baseline, variance_percent, severity, message, peak_watts, size_w, ongoing)
     ON CONFLICT (building_id, device_ref, metric_type, kind, method, start_at) DO UPDATE
        SET end_at = EXCLUDED.end_at, value = EXCLUDED.value, baseline = EXCLUDED.baseline,
            variance_percent = EXCLUDED.variance_percent, severity = EXCLUDED.severity,
            message = EXCLUDED.message, peak_watts = EXCLUDED.peak_watts,
            size_w = EXCLUDED.size_w, ongoing = EXCLUDED.ongoing, updated_at = now()
      WHERE EXCLUDED.end_at >= anomalies.end_at
        AND (EXCLUDED.end_at > anomalies.end_at OR EXCLUDED.ongoing <> anomalies.ongoing
             OR EXCLUDED.peak_watts IS DISTINCT FROM anomalies.peak_watts)
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    [
      list.map((a) => a.buildingId),
      list.map((a) => a.deviceRef),
      list.map((a) => a.metricType),
      list.map((a) => a.kind),
      list.map((a) => a.method),
      list.map((a) => a.start.toISOString()),
      list.map((a) => a.end.toISOString()),
      list.map((a) => a.value),
      list.map((a) => a.baseline),
      list.map((a) => a.variancePercent),
      list.map((a) => a.severity),
      list.map((a) => a.message),
      list.map((a) => a.peakWatts ?? null),
      list.map((a) => a.sizeWatts ?? null),
      list.map((a) => a.ongoing ?? false),
    ],
  );
  return r.rows
    .filter((row) => row.inserted)
    .map(fromRow)
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** A spike this close to a level shift's start is that shift's own start (the day it rose). */
const SHIFT_START_BEFORE = "interval '1 day'";
const SHIFT_START_AFTER = "interval '2 days'";

/**
 * The same problem seen again under another identity: its start moved (a level shift whose
 * start the detector later places at the rise of the day before its first raised night),
 * or its kind changed (the spike stored on the day a level shift began, which the next run
 * reports as that shift). Such an event updates the stored row (kind level_shift when
 * either is, the earlier start, the later end) instead of being inserted: no second alert,
 * and an acknowledgement holds. Returns true when it merged into a stored row.
 */
async function mergeIntoOverlapping(tx: Queryable, a: NewAnomaly): Promise<boolean> {
  const series = [a.buildingId, a.deviceRef, a.metricType, a.method];
  const exact = await tx.query(
    `SELECT 1 FROM anomalies WHERE building_id = $1 AND device_ref = $2 AND metric_type = $3
        AND method = $4 AND kind = $5 AND start_at = $6`,
    [...series, a.kind, a.start.toISOString()],
  );
  // Stored under this very identity: the upsert updates it.
  if (exact.rows.length > 0) return false;
  const r = await tx.query<{
    id: string;
    kind: string;
    start_at: Date | string;
    end_at: Date | string;
  }>(
    `SELECT id, kind, start_at, end_at FROM anomalies
      WHERE building_id = $1 AND device_ref = $2 AND metric_type = $3 AND method = $4
        AND ((kind = $5 AND start_at < $7::timestamptz AND end_at > $6::timestamptz)
          OR ($5 = 'level_shift' AND kind = 'spike'
              AND start_at >= $6::timestamptz - ${SHIFT_START_BEFORE}
              AND start_at < $6::timestamptz + ${SHIFT_START_AFTER})
          OR ($5 = 'spike' AND kind = 'level_shift'
              AND $6::timestamptz >= start_at - ${SHIFT_START_BEFORE}
              AND $6::timestamptz < start_at + ${SHIFT_START_AFTER}))
      ORDER BY (kind = 'level_shift') DESC, start_at
      LIMIT 1`,
    [...series, a.kind, a.start.toISOString(), a.end.toISOString()],
  );
  const stored = r.rows[0];
  if (!stored) return false;
  const kind = stored.kind === 'level_shift' || a.kind === 'level_shift' ? 'level_shift' : a.kind;
  const storedEnd = new Date(stored.end_at);
  // The new view describes the merged event when it is of its kind and reaches as far.
  const describes = a.kind === kind && a.end.getTime() >= storedEnd.getTime();
  await tx.query(
    `UPDATE anomalies
        SET kind = $2, start_at = LEAST(start_at, $3::timestamptz),
            end_at = GREATEST(end_at, $4::timestamptz), updated_at = now()
      WHERE id = $1`,
    [stored.id, kind, a.start.toISOString(), a.end.toISOString()],
  );
  if (describes) {
    await tx.query(
      `UPDATE anomalies
          SET value = $2, baseline = $3, variance_percent = $4, severity = $5, message = $6,
              peak_watts = $7, size_w = $8, ongoing = $9
        WHERE id = $1`,
      [
        stored.id,
        a.value,
        a.baseline,
        a.variancePercent,
        a.severity,
        a.message,
        a.peakWatts ?? null,
        a.sizeWatts ?? null,
        a.ongoing ?? false,
      ],
    );
  }
  return true;
}

export interface AnomalyQuery {
  buildingId: string;
  /** Anomalies overlapping [from, to). */
  from?: Date;
  to?: Date;
  /** Default false: acknowledged anomalies are left out. */
  includeAcknowledged?: boolean;
  method?: string;
  deviceRef?: string;
  metricType?: string;
}

/** Stored anomalies of a building, oldest first. */
export async function listAnomalies(q: Queryable, f: AnomalyQuery): Promise<StoredAnomaly[]> {
  const params: unknown[] = [f.buildingId];
  const where = ['building_id = $1'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.from) add('end_at > ?', f.from.toISOString());
  if (f.to) add('start_at < ?', f.to.toISOString());
  if (f.method) add('method = ?', f.method);
  if (f.deviceRef) add('device_ref = ?', f.deviceRef);
  if (f.metricType) add('metric_type = ?', f.metricType);
  if (!f.includeAcknowledged) where.push('acknowledged_at IS NULL');
  const r = await q.query<AnomalyRow>(
    `SELECT ${COLUMNS} FROM anomalies WHERE ${where.join(' AND ')}
      ORDER BY start_at, device_ref, kind`,
    params,
  );
  return r.rows.map(fromRow);
}

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_PREFIX = /^[0-9a-f]{8}(-[0-9a-f-]{0,27})?$/i;

/** Finds one anomaly by its id or a unique prefix of at least 8 hex characters. */
export async function findAnomaly(q: Queryable, ref: string): Promise<StoredAnomaly> {
  const id = ref.trim().toLowerCase();
  if (FULL_ID.test(id)) {
    const r = await q.query<AnomalyRow>(`SELECT ${COLUMNS} FROM anomalies WHERE id = $1`, [id]);
    if (!r.rows[0]) throw new NotFoundError(`no anomaly with id ${id}`);
    return fromRow(r.rows[0]);
  }
  if (!ID_PREFIX.test(id)) {
    throw new UsageError(
      `not an anomaly id: "${ref}" (give the id shown by "koprogo-iot anomalies", or its first 8 characters at least)`,
    );
  }
  // A prefix: ask for two rows to tell unique from ambiguous.
  const r = await q.query<AnomalyRow>(
    `SELECT ${COLUMNS} FROM anomalies WHERE id::text LIKE $1 ORDER BY id LIMIT 2`,
    [`${id}%`],
  );
  if (!r.rows[0]) throw new NotFoundError(`no anomaly with an id starting with ${id}`);
  if (r.rows.length > 1) {
    throw new UsageError(`the id prefix ${id} matches several anomalies`, {
      hint: 'give more characters of the id',
    });
  }
  return fromRow(r.rows[0]);
}

export interface AcknowledgeResult {
  anomaly: StoredAnomaly;
  /** True when it had been acknowledged before: its first acknowledgement is kept. */
  alreadyAcknowledged: boolean;
  /** Alerts of this anomaly still waiting in the outbox, now cancelled (never sent). */
  cancelledAlerts: number;
}

/**
 * Marks an anomaly as seen, so it leaves the open list, and cancels its alerts not sent
 * yet: the manager already knows. Repeating it changes nothing.
 */
export async function acknowledgeAnomaly(
  q: Queryable,
  ref: string,
  by?: string,
): Promise<AcknowledgeResult> {
  const found = await findAnomaly(q, ref);
  const r = await q.query<AnomalyRow>(
    `UPDATE anomalies SET acknowledged_at = now(), acknowledged_by = $2
      WHERE id = $1 AND acknowledged_at IS NULL
      RETURNING ${COLUMNS}`,
    [found.id, by ?? null],
  );
  const cancelled = await q.query(
    `UPDATE notifications SET status = 'cancelled'
      WHERE anomaly_id = $1 AND status = 'pending'`,
    [found.id],
  );
  const cancelledAlerts = cancelled.rowCount ?? 0;
  if (r.rows[0]) {
    return { anomaly: fromRow(r.rows[0]), alreadyAcknowledged: false, cancelledAlerts };
  }
  // Acknowledged meanwhile (or before): report the stored state.
  return { anomaly: await findAnomaly(q, found.id), alreadyAcknowledged: true, cancelledAlerts };
}
