/**
 * Forward-only migrations: numbered .sql files in migrations/, each applied in its own
 * transaction together with its schema_migrations row. The whole run holds a session-level
 * advisory lock taken before anything else, the creation of schema_migrations included:
 * `CREATE TABLE IF NOT EXISTS` is not safe against itself (two sessions both pass the check
 * and the second fails on pg_type's unique index). A database newer than the code is
 * refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseError } from '../domain/errors.js';
import type { Database, Queryable } from './types.js';

/** Arbitrary constant: the advisory lock key of koprogo-iot migrations. */
const MIGRATION_LOCK_KEY = 7_341_902_118;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function migrationsDir(): string {
  // The package root's migrations/, found upwards from this file (src/db, dist/db, or a
  // benchmark build one level deeper).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'migrations');
    if (fs.existsSync(path.join(candidate, '001_initial.sql'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('cannot find the migrations folder of koprogo-iot');
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  const files = fs.readdirSync(dir).filter((f) => /^\d+_[\w-]+\.sql$/.test(f));
  const list = files.map((f) => ({
    version: Number(f.split('_')[0]),
    name: f.replace(/^\d+_/, '').replace(/\.sql$/, ''),
    sql: fs.readFileSync(path.join(dir, f), 'utf8'),
  }));
  list.sort((a, b) => a.version - b.version);
  list.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version}`);
  });
  return list;
}

async function ensureTable(db: Queryable): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
}

export async function currentVersion(db: Queryable): Promise<number> {
  const r = await db.query<{ exists: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`,
  );
  if (!r.rows[0]?.exists) return 0;
  const v = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return Number(v.rows[0]?.v ?? 0);
}

export interface MigrateResult {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Runs fn on one session holding the migration lock (waiting for another process's run to
 * finish). Session locks are re-entrant, so a caller already holding it may call migrate().
 */
export async function withMigrationLock<T>(
  db: Database,
  fn: (session: Database) => Promise<T>,
): Promise<T> {
  // The embedded database is one session of one process (the daemon's socket included).
  if (db.kind !== 'server' || !db.withSession) return fn(db);
  return db.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await fn(session);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

export function migrate(db: Database, migrations = loadMigrations()): Promise<MigrateResult> {
  return withMigrationLock(db, (session) => migrateLocked(session, migrations));
}

async function migrateLocked(db: Database, migrations: Migration[]): Promise<MigrateResult> {
  await ensureTable(db);
  const latest = migrations.length;
  const from = await currentVersion(db);
  if (from > latest) {
    throw new DatabaseError(
      `the database schema is at version ${from}, newer than this koprogo-iot knows (${latest})`,
      { hint: 'upgrade koprogo-iot; nothing was changed' },
    );
  }
  const applied: string[] = [];
  for (const m of migrations) {
    if (m.version <= from) continue;
    const did = await db.transaction(async (tx) => {
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        m.version,
      ]);
      if (done.rows.length > 0) return false; // applied by an older release without the lock
      try {
        await runSql(tx, m.sql);
      } catch (e) {
        throw new DatabaseError(
          `migration ${m.version}_${m.name} failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      return true;
    });
    if (did) applied.push(`${String(m.version).padStart(3, '0')}_${m.name}`);
  }
  return { from, to: await currentVersion(db), applied };
}

/** Runs a multi-statement script (no parameters) through the simple query protocol. */
async function runSql(tx: Queryable, sql: string): Promise<void> {
  await tx.exec(sql);
}
