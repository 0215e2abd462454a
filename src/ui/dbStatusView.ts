/** `db status` and `db migrate` on a terminal. */
import type { DbStatus, MigrationOutcome } from '../services/dbStatus.js';
import { renderTable } from './table.js';

export function formatBytes(n: number | null): string {
  if (n == null) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function describeMigration(r: MigrationOutcome): string {
  if (r.applied.length === 0) return `schema is up to date (version ${r.to}) in ${r.location}`;
  return `applied ${r.applied.join(', ')}: schema version ${r.from} → ${r.to} in ${r.location}`;
}

export function renderDbStatus(s: DbStatus, view: { color: boolean; width: number }): string {
  const ts = s.timescaledb.installed
    ? `TimescaleDB ${s.timescaledb.version}: ${s.timescaledb.features.join(', ') || 'no feature active'}`
    : 'TimescaleDB not installed: plain PostgreSQL tables (no hypertable, compression, continuous aggregate or policies)';
  const head = [
    `engine:   ${s.engine}, PostgreSQL ${s.server_version}`,
    `location: ${s.location}`,
    `schema:   version ${s.schema_version} of ${s.latest_version}`,
    `features: ${ts}`,
    '',
  ].join('\n');
  const rows = s.tables.map((t) => ({
    table: t.table,
    rows: t.rows,
    chunks: t.chunks == null ? '-' : `${t.chunks} (${t.compressedChunks} compressed)`,
    size: formatBytes(t.totalBytes),
    compressed:
      t.compressedBytes == null
        ? '-'
        : `${formatBytes(t.uncompressedBytes)} → ${formatBytes(t.compressedBytes)}`,
  }));
  const table = renderTable({
    columns: [
      { key: 'table', header: 'Table' },
      { key: 'rows', header: 'Rows', align: 'right' },
      { key: 'chunks', header: 'Chunks' },
      { key: 'size', header: 'Size', align: 'right' },
      { key: 'compressed', header: 'Compression' },
    ],
    rows,
    color: view.color,
    maxWidth: view.width,
  });
  const note = compressionNote(s);
  return note ? `${head}\n${table}\n${note}` : `${head}\n${table}`;
}

/**
 * "0 compressed" alone reads as broken: say when compression runs. Chunks are compressed once
 * older than the policy's compress_after; the embedded database has no background workers,
 * so there the daemon runs the job after each cycle.
 */
function compressionNote(s: DbStatus): string | null {
  const job = s.jobs.find((j) => j.job === 'policy_compression');
  if (!job) return null;
  const after = (job.config as { compress_after?: unknown } | null)?.compress_after;
  const when = after ? ` once older than ${String(after)}` : '';
  const by = s.engine.startsWith('embedded')
    ? 'by the daemon after each cycle (`koprogo-iot daemon --once` runs it now)'
    : `by TimescaleDB's background job${job.schedule ? ` (every ${job.schedule})` : ''}`;
  return `compression: chunks are compressed${when}, ${by}`;
}
