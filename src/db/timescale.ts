/**
 * The one module that knows whether TimescaleDB is there. Everything TimescaleDB adds
 * (hypertable, compression, continuous aggregate, policies) is applied or skipped here.
 */
import type { Queryable } from './types.js';

export interface TimescaleInfo {
  installed: boolean;
  version: string | null;
  /** The server offers the extension but it is not installed in this database. */
  available: boolean;
}

export async function detectTimescale(db: Queryable): Promise<TimescaleInfo> {
  const r = await db.query<{ installed: string | null; available: string | null }>(
    `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS installed,
            (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb') AS available`,
  );
  const row = r.rows[0];
  return {
    installed: row?.installed != null,
    version: row?.installed ?? null,
    available: row?.available != null,
  };
}

/** Installs the extension on a server that offers it; returns why not when it cannot. */
export async function tryInstallTimescale(db: Queryable): Promise<string | null> {
  const info = await detectTimescale(db);
  if (info.installed) return null;
  if (!info.available) return 'TimescaleDB is not installed on this server';
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return null;
  } catch (e) {
    return `TimescaleDB could not be enabled: ${(e as Error).message}`;
  }
}

export interface StoragePolicy {
  compressAfterDays: number;
  retentionDays: number;
}

/**
 * Sets compression, retention and aggregate-refresh policies to the configured values.
 * Returns the features in force. No-op (empty list) without TimescaleDB.
 */
export async function applyStoragePolicies(
  db: Queryable,
  p: StoragePolicy,
  known?: TimescaleInfo,
): Promise<string[]> {
  const info = known ?? (await detectTimescale(db));
  if (!info.installed) return [];
  const jobs = await db.query<{
    proc_name: string;
    config: { compress_after?: string; drop_after?: string } | null;
    hypertable_name: string;
  }>(
    `SELECT proc_name, config, hypertable_name FROM timescaledb_information.jobs
      WHERE hypertable_name = 'iot_readings' OR proc_name = 'policy_refresh_continuous_aggregate'`,
  );
  const has = (name: string) => jobs.rows.find((j) => j.proc_name === name);
  const compressAfter = `${p.compressAfterDays} days`;
  const c = has('policy_compression');
  if (!c || c.config?.compress_after !== compressAfter) {
    if (c) await db.query(`SELECT remove_compression_policy('iot_readings', if_exists => true)`);
    if (p.compressAfterDays > 0)
      await db.query(`SELECT add_compression_policy('iot_readings', $1::interval)`, [
        compressAfter,
      ]);
  }
  const dropAfter = `${p.retentionDays} days`;
  const r = has('policy_retention');
  if (!r || r.config?.drop_after !== dropAfter) {
    if (r) await db.query(`SELECT remove_retention_policy('iot_readings', if_exists => true)`);
    if (p.retentionDays > 0)
      await db.query(`SELECT add_retention_policy('iot_readings', $1::interval)`, [dropAfter]);
  }
  if (!has('policy_refresh_continuous_aggregate')) {
    await db.query(
      `SELECT add_continuous_aggregate_policy('iot_readings_daily',
         start_offset => INTERVAL '40 days', end_offset => INTERVAL '1 hour',
         schedule_interval => INTERVAL '1 hour', if_not_exists => true)`,
    );
  }
  return [
    'hypertable',
    'continuous aggregate',
    ...(p.compressAfterDays > 0 ? ['compression'] : []),
    ...(p.retentionDays > 0 ? ['retention'] : []),
  ];
}

/**
 * Runs the TimescaleDB jobs of our tables once (compression, retention, aggregate refresh).
 * The embedded database has no background workers, so the daemon calls this itself.
 */
export async function runMaintenanceJobs(
  db: Queryable,
): Promise<{ job: string; ok: boolean; error?: string }[]> {
  const info = await detectTimescale(db);
  if (!info.installed) return [];
  const jobs = await db.query<{ job_id: number; proc_name: string }>(
    `SELECT job_id, proc_name FROM timescaledb_information.jobs
      WHERE proc_name IN ('policy_refresh_continuous_aggregate', 'policy_compression', 'policy_retention')
      ORDER BY CASE proc_name WHEN 'policy_refresh_continuous_aggregate' THEN 0 WHEN 'policy_compression' THEN 1 ELSE 2 END`,
  );
  const out: { job: string; ok: boolean; error?: string }[] = [];
  for (const j of jobs.rows) {
    try {
      await db.query(`CALL run_job($1)`, [j.job_id]);
      out.push({ job: j.proc_name, ok: true });
    } catch (e) {
      out.push({ job: j.proc_name, ok: false, error: (e as Error).message });
    }
  }
  return out;
}

export interface TableStorage {
  table: string;
  rows: number;
  chunks: number | null;
  compressedChunks: number | null;
  totalBytes: number;
  compressedBytes: number | null;
  uncompressedBytes: number | null;
}

/** Rows, chunks and sizes of our tables, for `db status`. */
export async function storageStatus(db: Queryable): Promise<TableStorage[]> {
  const info = await detectTimescale(db);
  const tables = [
    'buildings',
    'linky_devices',
    'iot_readings',
    'sync_runs',
    'anomalies',
    'notifications',
  ];
  const out: TableStorage[] = [];
  for (const t of tables) {
    const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`);
    const entry: TableStorage = {
      table: t,
      rows: Number(count.rows[0]?.n ?? 0),
      chunks: null,
      compressedChunks: null,
      totalBytes: 0,
      compressedBytes: null,
      uncompressedBytes: null,
    };
    if (info.installed && t === 'iot_readings') {
      const ch = await db.query<{ chunks: number; compressed: number }>(
        `SELECT count(*)::int AS chunks, count(*) FILTER (WHERE is_compressed)::int AS compressed
           FROM timescaledb_information.chunks WHERE hypertable_name = 'iot_readings'`,
      );
      entry.chunks = Number(ch.rows[0]?.chunks ?? 0);
      entry.compressedChunks = Number(ch.rows[0]?.compressed ?? 0);
      const size = await db.query<{ total: number | null }>(
        `SELECT hypertable_size('iot_readings')::bigint AS total`,
      );
      entry.totalBytes = Number(size.rows[0]?.total ?? 0);
      const cs = await db.query<{ before: number | null; after: number | null }>(
        `SELECT sum(before_compression_total_bytes)::bigint AS before, sum(after_compression_total_bytes)::bigint AS after
           FROM hypertable_compression_stats('iot_readings')`,
      );
      entry.uncompressedBytes = cs.rows[0]?.before != null ? Number(cs.rows[0].before) : null;
      entry.compressedBytes = cs.rows[0]?.after != null ? Number(cs.rows[0].after) : null;
    } else {
      const size = await db.query<{ total: number | null }>(
        `SELECT pg_total_relation_size($1::regclass)::bigint AS total`,
        [t],
      );
      entry.totalBytes = Number(size.rows[0]?.total ?? 0);
    }
    out.push(entry);
  }
  return out;
}
