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

/*
 * Staged import: the rows of one import go into a temporary table inside the import's
 * transaction, in batches, so memory stays bounded whatever the file's size. Duplicates and
 * interval lengths are worked out there, then one INSERT … SELECT writes the readings; the
 * table is dropped at commit or rollback, so an import that fails leaves nothing behind.
 */

export interface StagedReading {
  line: number;
  metric: MetricType;
  /** Register within the metric: rows of different parts with one start add up. */
  part: string;
  startMs: number;
  /** null: inferred from the series' neighbours by inferStagedIntervals. */
  seconds: number | null;
  value: number;
  unit: string;
}

export async function createImportStaging(tx: Queryable): Promise<void> {
  await tx.exec(`CREATE TEMP TABLE import_staging (
    line int NOT NULL, metric text NOT NULL, part text NOT NULL, ts float8 NOT NULL,
    secs int, value float8 NOT NULL, unit text NOT NULL
  ) ON COMMIT DROP`);
}

export async function appendStagedReadings(
  tx: Queryable,
  rows: readonly StagedReading[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO import_staging (line, metric, part, ts, secs, value, unit)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[], $5::int[], $6::float8[], $7::text[])`,
    [
      rows.map((r) => r.line),
      rows.map((r) => r.metric),
      rows.map((r) => r.part),
      rows.map((r) => r.startMs / 1000),
      rows.map((r) => r.seconds),
      rows.map((r) => r.value),
      rows.map((r) => r.unit),
    ],
  );
}

export interface StagedProblem {
  line: number;
  startMs: number;
  /** The line of the first row with the same start (duplicates). */
  firstLine: number | null;
}

/**
 * Rows that repeat a (metric, register, start) already staged on an earlier line: the first
 * `limit` of them and how many there are. They are removed, the first occurrence stays.
 */
export async function removeStagedDuplicates(
  tx: Queryable,
  limit: number,
): Promise<{ count: number; first: StagedProblem[] }> {
  const dup = `SELECT ctid, line, ts, min(line) OVER w AS first_line,
                      row_number() OVER (PARTITION BY metric, part, ts ORDER BY line) AS n
                 FROM import_staging WINDOW w AS (PARTITION BY metric, part, ts)`;
  const first = await tx.query<{ line: number; ts: number; first_line: number }>(
    `SELECT line, ts, first_line FROM (${dup}) d WHERE n > 1 ORDER BY line LIMIT ${Number(limit)}`,
  );
  const removed = await tx.query(
    `DELETE FROM import_staging WHERE ctid IN (SELECT ctid FROM (${dup}) d WHERE n > 1)`,
  );
  return {
    count: removed.rowCount,
    first: first.rows.map((r) => ({
      line: r.line,
      startMs: Number(r.ts) * 1000,
      firstLine: r.first_line,
    })),
  };
}

/**
 * Interval lengths of rows that carry none: per metric, the smaller of the distances to the
 * previous and the next start, so a missing stretch stays a gap (it does not stretch the
 * reading before it) and a change of step is followed. Rows whose length cannot be told (a
 * lone reading) are removed and reported.
 */
export async function inferStagedIntervals(
  tx: Queryable,
  limit: number,
): Promise<{ count: number; first: StagedProblem[] }> {
  // Rows that carry their length (portal exports, provider answers, --interval) need no pass.
  const open = await tx.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM import_staging WHERE secs IS NULL) AS any',
  );
  if (!open.rows[0]?.any) return { count: 0, first: [] };
  await tx.query(`
    UPDATE import_staging s SET secs = round(least(n.before, n.after))::int
      FROM (SELECT metric, ts, ts - lag(ts) OVER w AS before, lead(ts) OVER w - ts AS after
              FROM (SELECT DISTINCT metric, ts FROM import_staging) d
            WINDOW w AS (PARTITION BY metric ORDER BY ts)) n
     WHERE s.secs IS NULL AND s.metric = n.metric AND s.ts = n.ts`);
  // Up to a day of 25 hours (the local day the clocks go back).
  const bad = `secs IS NULL OR secs <= 0 OR secs > 90000`;
  const first = await tx.query<{ line: number; ts: number }>(
    `SELECT line, ts FROM import_staging WHERE ${bad} ORDER BY line LIMIT ${Number(limit)}`,
  );
  const removed = await tx.query(`DELETE FROM import_staging WHERE ${bad}`);
  return {
    count: removed.rowCount,
    first: first.rows.map((r) => ({ line: r.line, startMs: Number(r.ts) * 1000, firstLine: null })),
  };
}

/** Readings the staged rows make (registers of one start added up), and their time range. */
export async function stagedSummary(
  tx: Queryable,
): Promise<{ readings: number; startMs: number | null; endMs: number | null }> {
  const r = await tx.query<{ n: number; lo: number | null; hi: number | null }>(
    `SELECT count(*)::int AS n, min(ts) AS lo, max(ts) AS hi
       FROM (SELECT DISTINCT metric, ts FROM import_staging) d`,
  );
  const row = r.rows[0];
  return {
    readings: Number(row?.n ?? 0),
    startMs: row?.lo == null ? null : Number(row.lo) * 1000,
    endMs: row?.hi == null ? null : Number(row.hi) * 1000,
  };
}

/**
 * Writes the staged rows as readings of one series in one statement; returns how many were
 * inserted or changed (rewriting the same values counts zero).
 */
export async function upsertStagedReadings(
  tx: Queryable,
  series: {
    buildingId: string;
    deviceRef: string;
    source: string;
    deviceTypes: Record<string, DeviceType>;
  },
): Promise<number> {
  const metrics = Object.keys(series.deviceTypes);
  const r = await tx.query(
    `INSERT INTO iot_readings (building_id, device_ref, metric_type, device_type, unit, source,
                               "timestamp", interval_seconds, value)
     SELECT $1::uuid, $2, s.metric, m.device_type, max(s.unit), $3, to_timestamp(s.ts),
            max(s.secs), sum(s.value)
       FROM import_staging s
       JOIN unnest($4::text[], $5::text[]) AS m(metric, device_type) ON m.metric = s.metric
      GROUP BY s.metric, m.device_type, s.ts
     ON CONFLICT (building_id, device_ref, metric_type, "timestamp") DO UPDATE
        SET value = EXCLUDED.value, interval_seconds = EXCLUDED.interval_seconds,
            unit = EXCLUDED.unit, source = EXCLUDED.source, device_type = EXCLUDED.device_type
      WHERE iot_readings.value IS DISTINCT FROM EXCLUDED.value
         OR iot_readings.interval_seconds IS DISTINCT FROM EXCLUDED.interval_seconds`,
    [
      series.buildingId,
      series.deviceRef,
      series.source,
      metrics,
      metrics.map((m) => series.deviceTypes[m]),
    ],
  );
  return r.rowCount;
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
