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
  /**
   * Close each connection as soon as its query or transaction is done. The daemon's socket
   * serves one connection at a time and holds the database for that connection's whole
   * life, so a client that keeps an idle connection blocks every other command and the
   * daemon's own cycle; a connection per query or transaction keeps those turns short.
   */
  connectionPerStatement?: boolean;
}

function transactionOn<T>(client: pg.PoolClient, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return (async () => {
    await client.query('BEGIN');
    try {
      const result = await fn(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      throw e;
    }
  })();
}

/** A Database bound to one pooled client (for session-level locks). */
function sessionDatabase(
  client: pg.PoolClient,
  kind: Database['kind'],
  location: string,
): Database {
  const q = wrap(client);
  const session: Database = {
    kind,
    location,
    query: q.query,
    exec: q.exec,
    transaction: (fn) => transactionOn(client, fn),
    withSession: (fn) => fn(session),
    close: () => Promise.resolve(),
  };
  return session;
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
  const kind = o.kind ?? 'server';
  async function withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (e) {
      broken = e as Error;
      throw e;
    } finally {
      // release(true) ends the connection instead of keeping it idle in the pool.
      client.release(o.connectionPerStatement ? true : broken && isConnectionError(broken));
    }
  }
  try {
    await withClient((c) => c.query('SELECT 1'));
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
  return {
    kind,
    location,
    query: (text, params) => withClient((c) => wrap(c).query(text, params)),
    exec: (sql) => withClient((c) => wrap(c).exec(sql)),
    transaction: (fn) => withClient((c) => transactionOn(c, fn)),
    withSession: (fn) => withClient((c) => fn(sessionDatabase(c, kind, location))),
    async close() {
      await pool.end();
    },
  };
}

/** Errors after which the connection is not worth keeping. */
function isConnectionError(e: Error): boolean {
  return !(e instanceof pg.DatabaseError);
}
