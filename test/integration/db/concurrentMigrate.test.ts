/**
 * Several processes migrating one fresh server database at once: each must succeed and the
 * schema must end at the latest version, applied once. Before the migration lock was taken
 * ahead of `CREATE TABLE IF NOT EXISTS schema_migrations`, four concurrent runs failed on
 * pg_type's unique index in most trials.
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { currentVersion, loadMigrations, migrate } from '../../../src/db/migrate.js';
import { openServerDatabase } from '../../../src/db/server.js';
import { runCli } from '../../helpers/cli.js';
import { createServerDatabase } from '../../helpers/databases.js';

const server = process.env.TEST_DATABASE_URL ? describe : describe.skip;
const latest = loadMigrations().length;

async function appliedVersions(url: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    return r.rows.map((x) => Number(x.version));
  } finally {
    await c.end();
  }
}

server('concurrent migrations on a fresh server database', () => {
  it('six migrate() calls at once, each on its own pool, all succeed', async () => {
    const created = await createServerDatabase();
    const dbs = await Promise.all(
      Array.from({ length: 6 }, () => openServerDatabase({ url: created.url, max: 2 })),
    );
    try {
      const results = await Promise.allSettled(dbs.map((db) => migrate(db)));
      const failed = results.filter((r) => r.status === 'rejected');
      expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.applied : []));
      // Every migration applied exactly once, by whichever process got there first.
      expect(applied).toHaveLength(latest);
      expect(await currentVersion(dbs[0]!)).toBe(latest);
      expect(await appliedVersions(created.url)).toEqual(
        Array.from({ length: latest }, (_, i) => i + 1),
      );
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await created.drop();
    }
  }, 120_000);

  it('`koprogo-iot db migrate` processes started together all exit 0', async () => {
    const created = await createServerDatabase();
    try {
      const env = { DATABASE_URL: created.url, KOPROGO_IOT_DATA_DIR: '/nonexistent-unused' };
      const runs = await Promise.all(
        Array.from({ length: 6 }, () => runCli(['db', 'migrate'], { env, timeoutMs: 90_000 })),
      );
      for (const r of runs)
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: r.stderr });
      expect(runs.map((r) => r.stderr).join('')).not.toMatch(/unexpected|duplicate key/);
      expect(await appliedVersions(created.url)).toHaveLength(latest);
    } finally {
      await created.drop();
    }
  }, 120_000);
});
