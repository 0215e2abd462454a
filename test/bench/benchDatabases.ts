/**
 * Databases of the benchmarks, opened through the product's own code and migrated: the
 * embedded one in a temporary data directory (or in memory), or a throwaway database on the
 * PostgreSQL server. `close` removes whatever was created.
 */
import { openEmbeddedDatabase } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { openServerDatabase } from '../../src/db/server.js';
import { detectTimescale } from '../../src/db/timescale.js';
import type { Database } from '../../src/db/types.js';
import { createServerDatabase, findServer, tempDir } from './common.js';

export type BenchEngine = 'embedded' | 'embedded-memory' | 'server';

export interface BenchDatabase {
  engine: BenchEngine;
  db: Database;
  /** "embedded (PGlite, TimescaleDB 2.23.0, temp data directory)" and the like. */
  label: string;
  timescale: boolean;
  close(): Promise<void>;
}

/** Opens and migrates a fresh database; null (with the reason) when no server answers. */
export async function openBenchDatabase(
  engine: BenchEngine,
): Promise<BenchDatabase | { skipped: string }> {
  if (engine === 'server') {
    const server = await findServer();
    if (!server.url) return { skipped: server.reason ?? 'no server' };
    const created = await createServerDatabase(server.url);
    let db: Database;
    try {
      db = await openServerDatabase({
        url: created.url,
        max: 4,
        applicationName: 'koprogo-iot-bench',
      });
      await migrate(db);
    } catch (e) {
      await created.drop().catch(() => {});
      throw e;
    }
    return finish(engine, db, async () => {
      await db.close();
      await created.drop();
    });
  }
  const t = engine === 'embedded' ? tempDir('db') : null;
  let db: Database;
  try {
    db = await openEmbeddedDatabase(t ? t.dir : null, { command: 'koprogo-iot bench' });
    await migrate(db);
  } catch (e) {
    t?.remove();
    throw e;
  }
  return finish(engine, db, async () => {
    try {
      await db.close();
    } finally {
      t?.remove();
    }
  });
}

async function finish(
  engine: BenchEngine,
  db: Database,
  close: () => Promise<void>,
): Promise<BenchDatabase> {
  const ts = await detectTimescale(db);
  const v = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  const pgVersion = (v.rows[0]?.v ?? '?').split(' ')[0];
  const where = {
    embedded: 'temp data directory',
    'embedded-memory': 'in memory',
    server: 'throwaway database',
  }[engine];
  const kind = engine === 'server' ? 'server' : 'embedded PGlite';
  const label = `${kind}, PostgreSQL ${pgVersion}, ${ts.installed ? `TimescaleDB ${ts.version}` : 'no TimescaleDB'}, ${where}`;
  return { engine, db, label, timescale: ts.installed, close };
}
