import { Command } from 'commander';
import { loadMigrations, currentVersion } from '../db/migrate.js';
import { storageStatus, type TableStorage } from '../db/timescale.js';
import type { OpenedDatabase } from '../db/open.js';
import { renderTable } from '../ui/table.js';
import { writeResult } from '../ui/output.js';
import { contextFrom, outputFormat, withDatabase, type Context } from './context.js';

export async function runDbMigrate(ctx: Context) {
  return withDatabase(ctx, 'db migrate', async (db) => ({
    engine: db.kind,
    location: db.location,
    from: db.migration?.from ?? null,
    to: db.migration?.to ?? null,
    applied: db.migration?.applied ?? [],
  }));
}

export interface DbStatus {
  engine: string;
  location: string;
  server_version: string;
  schema_version: number;
  latest_version: number;
  timescaledb: { installed: boolean; version: string | null; features: string[] };
  jobs: { job: string; schedule: string | null; config: unknown }[];
  tables: TableStorage[];
}

async function features(
  db: OpenedDatabase,
): Promise<{ features: string[]; jobs: DbStatus['jobs'] }> {
  if (!db.timescale.installed) return { features: [], jobs: [] };
  const f: string[] = [];
  const ht = await db.query(
    `SELECT 1 FROM timescaledb_information.hypertables WHERE hypertable_name = 'iot_readings'`,
  );
  if (ht.rows.length) f.push('hypertable');
  const ca = await db.query(
    `SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_name = 'iot_readings_daily'`,
  );
  if (ca.rows.length) f.push('continuous aggregate');
  const jobs = await db.query<{
    proc_name: string;
    schedule_interval: string | null;
    config: unknown;
  }>(
    `SELECT proc_name, schedule_interval::text AS schedule_interval, config FROM timescaledb_information.jobs
      WHERE proc_name LIKE 'policy_%' ORDER BY job_id`,
  );
  for (const j of jobs.rows) {
    if (j.proc_name === 'policy_compression') f.push('compression policy');
    if (j.proc_name === 'policy_retention') f.push('retention policy');
    if (j.proc_name === 'policy_refresh_continuous_aggregate') f.push('aggregate refresh policy');
  }
  return {
    features: f,
    jobs: jobs.rows.map((j) => ({
      job: j.proc_name,
      schedule: j.schedule_interval,
      config: j.config,
    })),
  };
}

export async function runDbStatus(ctx: Context): Promise<DbStatus> {
  return withDatabase(ctx, 'db status', async (db) => {
    const v = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    const f = await features(db);
    return {
      engine:
        db.kind === 'server'
          ? 'PostgreSQL server'
          : db.kind === 'embedded'
            ? 'embedded (PGlite)'
            : 'embedded, through the daemon',
      location: db.location,
      server_version: v.rows[0]?.v ?? 'unknown',
      schema_version: await currentVersion(db),
      latest_version: loadMigrations().length,
      timescaledb: {
        installed: db.timescale.installed,
        version: db.timescale.version,
        features: f.features,
      },
      jobs: f.jobs,
      tables: await storageStatus(db),
    };
  });
}

function bytes(n: number | null): string {
  if (n == null) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function makeDbCommand(): Command {
  const cmd = new Command('db').description('database schema and status');
  cmd
    .command('migrate')
    .description('apply pending schema migrations')
    .action(async (_o: unknown, c: Command) => {
      const ctx = contextFrom(c);
      const r = await runDbMigrate(ctx);
      if (ctx.flags.json) ctx.out.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else if (r.applied.length === 0)
        ctx.out.stdout.write(`schema is up to date (version ${r.to}) in ${r.location}\n`);
      else
        ctx.out.stdout.write(
          `applied ${r.applied.join(', ')}: schema version ${r.from} → ${r.to} in ${r.location}\n`,
        );
    });
  cmd
    .command('status')
    .description('schema version, engine, TimescaleDB features, rows, chunks and sizes')
    .option('--format <format>', 'table | json', 'table')
    .action(async (opts: { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const s = await runDbStatus(ctx);
      writeResult({
        format: outputFormat(ctx, opts.format),
        json: s,
        table: () => {
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
            size: bytes(t.totalBytes),
            compressed:
              t.compressedBytes == null
                ? '-'
                : `${bytes(t.uncompressedBytes)} → ${bytes(t.compressedBytes)}`,
          }));
          return (
            head +
            '\n' +
            renderTable({
              columns: [
                { key: 'table', header: 'Table' },
                { key: 'rows', header: 'Rows', align: 'right' },
                { key: 'chunks', header: 'Chunks' },
                { key: 'size', header: 'Size', align: 'right' },
                { key: 'compressed', header: 'Compression' },
              ],
              rows,
              color: ctx.color,
              maxWidth: ctx.columns,
            })
          );
        },
        stdout: ctx.out.stdout,
      });
    });
  return cmd;
}
