/**
 * What `koprogo-iot sync` exits with, as a user running it sees: a first sync whose meters
 * all wrote part of their history is partial (7), not "no meter synced" (6); a sync whose
 * meters are all leased by another process says who holds them and until when (7), instead
 * of "no meter to sync" (0). Spawned CLI against each engine. Needs `npm run build`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDayOf } from '../../../src/analytics/periods.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import type { Database } from '../../../src/db/types.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { runCli } from '../../helpers/cli.js';
import { createServerDatabase, ENGINES } from '../../helpers/databases.js';
import { openServerDatabase } from '../../../src/db/server.js';
import { newBuilding, registerMeters, storedRows, syncRuns, testEnv } from './helpers.js';

const HISTORY = 14;

/**
 * A front of the simulator that answers 500 to every load-curve window ending on or after
 * `cutoff`: the older windows of each meter go through, the most recent one never does.
 */
async function failRecentWindows(sim: Simulator, cutoff: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', sim.url);
    const end = url.searchParams.get('end') ?? url.searchParams.get('dateFin');
    if (/load_curve|courbe_de_charge/.test(url.pathname) && end && end >= cutoff) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'content-length'].includes(k)),
      ) as Record<string, string>;
      fetch(new URL(url.pathname + url.search, sim.url), {
        method: req.method,
        headers,
        body: ['GET', 'HEAD'].includes(req.method ?? 'GET') ? undefined : Buffer.concat(chunks),
      })
        .then(async (r) => {
          res.writeHead(r.status, Object.fromEntries(r.headers));
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const CLI_ENGINES = ENGINES.filter((e) => e !== 'timescale-wire');

describe.each(CLI_ENGINES)('sync outcomes as exit codes (%s database)', (engine) => {
  let sim: Simulator;
  let front: http.Server;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-outcomes-'));
    // The CLI runs on the real clock, so the simulator does too.
    sim = await startSimulator({ port: 0, seed: 31 });
    const today = localDayOf(new Date(), 'Europe/Paris');
    front = await failRecentWindows(sim, addDays(today, -2));
  });
  afterAll(async () => {
    await new Promise((r) => front?.close(r));
    await sim?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** A fresh database of the engine with `n` linked meters; the CLI environment to use it. */
  async function setup(name: string, n: number, baseUrl: string) {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        providers: { enedis: { baseUrl, historyDays: HISTORY } },
        sync: { concurrency: 3, retries: 1 },
      }),
    );
    let db: Database;
    let drop = async () => {};
    const env: Record<string, string> = {
      ...testEnv(),
      KOPROGO_IOT_CONFIG: configFile,
      KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
      HOME: dir,
      XDG_CONFIG_HOME: path.join(dir, 'xdg'),
      XDG_DATA_HOME: path.join(dir, 'xdg'),
    };
    if (engine === 'server') {
      const created = await createServerDatabase();
      env.DATABASE_URL = created.url;
      drop = created.drop;
      db = await openServerDatabase(created.url);
    } else {
      db = await openEmbeddedDatabase(path.join(dir, 'data'));
    }
    await migrate(db);
    const meters = sim.createMeters('enedis', n);
    const devices = await registerMeters(db, sim, await newBuilding(db), meters);
    // The CLI opens the embedded directory itself: it may have one holder at a time.
    const reopen = async (): Promise<Database> =>
      engine === 'server'
        ? openServerDatabase(env.DATABASE_URL as string)
        : openEmbeddedDatabase(path.join(dir, 'data'));
    await db.close();
    return { env, meters, devices, reopen, drop };
  }

  it('a first sync that wrote part of every meter exits 7 (partial), not 6', async () => {
    const front_ = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    const s = await setup('partial', 3, front_);
    try {
      const r = await runCli(['--json', 'sync'], { env: s.env, timeoutMs: 120_000 });
      expect(r.stderr).toMatch(/3 of 3 meters did not sync completely/);
      expect(r.stderr).not.toMatch(/no meter synced/);
      expect(r.code).toBe(7);
      const out = JSON.parse(r.stdout) as {
        devices: Array<{ prm: string; status: string; synced_readings: number }>;
      };
      expect(out.devices.map((d) => d.status)).toEqual(['partial', 'partial', 'partial']);
      const db = await s.reopen();
      try {
        const rows = await storedRows(db);
        for (const m of s.meters)
          expect(rows.filter((x) => x.prm === m.prm).length).toBeGreaterThan(0);
        expect((await syncRuns(db)).map((x) => x.status)).toEqual([
          'partial',
          'partial',
          'partial',
        ]);
      } finally {
        await db.close();
      }
    } finally {
      await s.drop();
    }
  });

  it('a sync whose meters another process holds says who holds them, until when, and exits 7', async () => {
    const s = await setup('held', 3, sim.url);
    try {
      // A daemon on another machine sharing the database is syncing every meter.
      const owner = 'daemon:building-server:4242:9f3a1c';
      let db = await s.reopen();
      const until = await db.query<{ until: Date }>(
        `UPDATE linky_devices SET lease_owner = $1, lease_expires_at = now() + interval '10 minutes'
          RETURNING lease_expires_at AS until`,
        [owner],
      );
      await db.close();
      const r = await runCli(['sync'], { env: s.env, timeoutMs: 60_000 });
      expect(r.code).toBe(7);
      const expiry = new Date(until.rows[0]!.until).toISOString();
      expect(r.stderr).toContain(`3 meters held by ${owner} until ${expiry}`);
      db = await s.reopen();
      try {
        expect(await syncRuns(db)).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      await s.drop();
    }
  });
});
