import pg from 'pg';
import { DatabaseError } from '../domain/errors.js';
import type { Database, Queryable, QueryResult } from './types.js';

// Return timestamptz as Date, bigint/numeric counts as numbers (row counts fit easily).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** Hides the password of a connection URL, for messages and `db status`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<T>(text: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await client.query(text, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

export interface ServerOptions {
  url: string;
  max?: number;
  /** Label used in messages instead of the URL (e.g. the daemon's socket). */
  location?: string;
  kind?: 'server' | 'embedded-via-daemon';
  applicationName?: string;
}

/** Opens a pg pool and checks the server answers. */
export async function openServerDatabase(opts: ServerOptions | string): Promise<Database> {
  const o: ServerOptions = typeof opts === 'string' ? { url: opts } : opts;
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max ?? 4,
    connectionTimeoutMillis: 10_000,
    application_name: o.applicationName ?? 'koprogo-iot',
  });
  // An idle client's error must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const location = o.location ?? redactUrl(o.url);
  try {
    await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => {});
    throw new DatabaseError(
      `cannot connect to the database at ${location}: ${(e as Error).message}`,
      {
        hint: 'check DATABASE_URL / --database-url and that the server is running',
        cause: e,
      },
    );
  }
  const q = wrap(pool);
  return {
    kind: o.kind ?? 'server',
    location,
    query: q.query,
    exec: q.exec,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
