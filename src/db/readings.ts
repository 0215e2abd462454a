/**
 * Reading and writing meter readings. Writes are bulk upserts through unnest() (one
 * statement per few tens of thousands of rows, never one INSERT per reading); rewriting the
 * same readings changes nothing and counts zero.
 */
import type { DeviceType, MetricType, Reading } from '../domain/readings.js';
import type { Queryable } from './types.js';

/** Rows per statement: large enough to amortise, small enough for PGlite's memory. */
const BATCH = 20_000;
/** Statements of one series in flight at once. */
const PARALLEL = 2;

const UPSERT_SQL = `
INSERT INTO iot_readings (building_id, device_ref, metric_type, device_type, unit, source,
                          "timestamp", interval_seconds, value)
SELECT $1::uuid, $2, $3, $4, $5, $6, to_timestamp(u.ts), u.secs, u.val
  FROM unnest($7::float8[], $8::int[], $9::float8[]) AS u(ts, secs, val)
ON CONFLICT (building_id, device_ref, metric_type, "timestamp") DO UPDATE
   SET value = EXCLUDED.value, interval_seconds = EXCLUDED.interval_seconds,
       unit = EXCLUDED.unit, source = EXCLUDED.source, device_type = EXCLUDED.device_type
 WHERE iot_readings.value IS DISTINCT FROM EXCLUDED.value
    OR iot_readings.interval_seconds IS DISTINCT FROM EXCLUDED.interval_seconds`;

/** Upserts readings; returns how many rows were inserted or changed. */
export async function upsertReadings(q: Queryable, readings: readonly Reading[]): Promise<number> {
  // One series = (building, meter, metric): within it a key (its interval start) may appear
  // once per statement, so keep the last occurrence. Statements then carry one value of the
  // columns repeated along a series, and hold disjoint keys, so several may run at once: on a
  // server pool they go to separate connections; one connection (PGlite, a transaction)
  // simply queues them.
  const series = new Map<string, Map<number, Reading>>();
  for (const r of readings) {
    const k = `${r.buildingId}\u0000${r.deviceRef}\u0000${r.metricType}`;
    let m = series.get(k);
    if (!m) series.set(k, (m = new Map()));
    m.set(r.timestamp.getTime(), r);
  }
  const statements: unknown[][] = [];
  for (const byTs of series.values()) {
    const sub = new Map<string, Reading[]>();
    for (const r of byTs.values()) {
      const k = `${r.deviceType}\u0000${r.unit}\u0000${r.source}`;
      let g = sub.get(k);
      if (!g) sub.set(k, (g = []));
      g.push(r);
    }
    for (const rows of sub.values()) {
      const first = rows[0] as Reading;
      for (let i = 0; i < rows.length; i += BATCH) {
        const part = rows.slice(i, i + BATCH);
        statements.push([
          first.buildingId,
          first.deviceRef,
          first.metricType,
          first.deviceType,
          first.unit,
          first.source,
          // Epoch seconds: numbers travel and parse much faster than timestamp text.
          part.map((r) => r.timestamp.getTime() / 1000),
          part.map((r) => r.intervalSeconds),
          part.map((r) => r.value),
        ]);
      }
    }
  }
  let written = 0;
  for (let i = 0; i < statements.length; i += PARALLEL) {
    const results = await Promise.all(
      statements.slice(i, i + PARALLEL).map((params) => q.query(UPSERT_SQL, params)),
    );
    for (const res of results) written += res.rowCount;
  }
  return written;
}

export interface ReadingFilter {
  buildingId: string;
  from: Date;
  to: Date;
  deviceType?: DeviceType;
  metricType?: MetricType;
  deviceRef?: string;
}

export interface StoredReading {
  building_id: string;
  device_ref: string;
  device_type: string;
  metric_type: string;
  timestamp: Date;
  interval_seconds: number;
  value: number;
  unit: string;
  source: string;
}

function where(f: ReadingFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.buildingId, f.from.toISOString(), f.to.toISOString()];
  let sql = `building_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3`;
  if (f.deviceType) {
    params.push(f.deviceType);
    sql += ` AND device_type = $${params.length}`;
  }
  if (f.metricType) {
    params.push(f.metricType);
    sql += ` AND metric_type = $${params.length}`;
  }
  if (f.deviceRef) {
    params.push(f.deviceRef);
    sql += ` AND device_ref = $${params.length}`;
  }
  return { sql, params };
}

export async function countReadings(q: Queryable, f: ReadingFilter): Promise<number> {
  const w = where(f);
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM iot_readings WHERE ${w.sql}`,
    w.params,
  );
  return Number(r.rows[0]?.n ?? 0);
}

export async function listReadings(
  q: Queryable,
  f: ReadingFilter,
  page: number,
  perPage: number,
): Promise<StoredReading[]> {
  const w = where(f);
  const r = await q.query<StoredReading>(
    `SELECT building_id, device_ref, device_type, metric_type, "timestamp", interval_seconds, value, unit, source
       FROM iot_readings WHERE ${w.sql}
      ORDER BY "timestamp", device_ref, metric_type
      LIMIT ${Number(perPage)} OFFSET ${Number((page - 1) * perPage)}`,
    w.params,
  );
  return r.rows;
}

/** Readings of one series in a window, oldest first (analytics input). */
export async function seriesValues(
  q: Queryable,
  f: ReadingFilter,
): Promise<{ timestamp: Date; intervalSeconds: number; value: number }[]> {
  const w = where(f);
  const r = await q.query<{ timestamp: Date; interval_seconds: number; value: number }>(
    `SELECT "timestamp", interval_seconds, value FROM iot_readings WHERE ${w.sql} ORDER BY "timestamp"`,
    w.params,
  );
  return r.rows.map((x) => ({
    timestamp: new Date(x.timestamp),
    intervalSeconds: x.interval_seconds,
    value: x.value,
  }));
}

export interface EnergyReading {
  device_ref: string;
  metric_type: 'electricity_consumption' | 'electricity_production';
  timestamp: Date;
  interval_seconds: number;
  value: number;
}

/**
 * Electricity readings of a building in [from, to), consumption and production of every
 * meter, oldest first: the input of pricing (bands, injection, capacity peaks).
 */
export async function energyReadings(
  q: Queryable,
  f: { buildingId: string; from: Date; to: Date },
): Promise<EnergyReading[]> {
  const r = await q.query<EnergyReading>(
    `SELECT device_ref, metric_type, "timestamp", interval_seconds, value
       FROM iot_readings
      WHERE building_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3
        AND metric_type IN ('electricity_consumption', 'electricity_production')
        AND interval_seconds > 0
      ORDER BY "timestamp"`,
    [f.buildingId, f.from.toISOString(), f.to.toISOString()],
  );
  return r.rows.map((x) => ({ ...x, timestamp: new Date(x.timestamp) }));
}

/** Whether a building holds any reading of this series (a meter's PRM or an import's name). */
export async function seriesExists(
  q: Queryable,
  buildingId: string,
  deviceRef: string,
): Promise<boolean> {
  const r = await q.query(
    'SELECT 1 FROM iot_readings WHERE building_id = $1 AND device_ref = $2 LIMIT 1',
    [buildingId, deviceRef],
  );
  return r.rows.length > 0;
}
