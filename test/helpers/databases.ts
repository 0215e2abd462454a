/**
 * Databases for integration tests: the embedded one (in memory) always, and a fresh database
 * on the PostgreSQL server named by TEST_DATABASE_URL when it is set. Each call gets its own
 * database, dropped at close, so test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openEmbeddedDatabase } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { openServerDatabase } from '../../src/db/server.js';
import type { Database } from '../../src/db/types.js';

export interface TestDatabase {
  name: 'embedded' | 'server';
  db: Database;
  /** URL of the server database (server only), for code that opens its own connection. */
  url?: string;
  close(): Promise<void>;
}

export const ENGINES: ('embedded' | 'server')[] = process.env.TEST_DATABASE_URL
  ? ['embedded', 'server']
  : ['embedded'];

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
  engine: 'embedded' | 'server',
  opts: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  if (engine === 'embedded') {
    const db = await openEmbeddedDatabase(null);
    if (opts.migrate !== false) await migrate(db);
    return { name: engine, db, close: () => db.close() };
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
