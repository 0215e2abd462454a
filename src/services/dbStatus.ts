/** The database: its schema migrations, engine, TimescaleDB features and storage. */
import { currentVersion, loadMigrations } from '../db/migrate.js';
import type { OpenedDatabase } from '../db/open.js';
import { storageStatus, type TableStorage } from '../db/timescale.js';
import { serverVersion, timescaleFeatures, type TimescaleJob } from '../db/timescaleFeatures.js';

export interface MigrationOutcome {
  engine: string;
  location: string;
  from: number | null;
  to: number | null;
  applied: string[];
}

export interface DbStatus {
  engine: string;
  location: string;
  server_version: string;
  schema_version: number;
  latest_version: number;
  timescaledb: { installed: boolean; version: string | null; features: string[] };
  jobs: TimescaleJob[];
  tables: TableStorage[];
}

/** What opening the database migrated (opening applies pending migrations). */
export function migrationOutcome(db: OpenedDatabase): MigrationOutcome {
  return {
    engine: db.kind,
    location: db.location,
    from: db.migration?.from ?? null,
    to: db.migration?.to ?? null,
    applied: db.migration?.applied ?? [],
  };
}

const ENGINE_LABEL: Record<OpenedDatabase['kind'], string> = {
  server: 'PostgreSQL server',
  embedded: 'embedded (PGlite)',
  'embedded-via-daemon': 'embedded, through the daemon',
};

export async function dbStatus(db: OpenedDatabase): Promise<DbStatus> {
  const ts = db.timescale.installed
    ? await timescaleFeatures(db)
    : { features: [] as string[], jobs: [] as TimescaleJob[] };
  return {
    engine: ENGINE_LABEL[db.kind],
    location: db.location,
    server_version: await serverVersion(db),
    schema_version: await currentVersion(db),
    latest_version: loadMigrations().length,
    timescaledb: {
      installed: db.timescale.installed,
      version: db.timescale.version,
      features: ts.features,
    },
    jobs: ts.jobs,
    tables: await storageStatus(db),
  };
}
