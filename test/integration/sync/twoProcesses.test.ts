/**
 * Two sync processes sharing one PostgreSQL server: through the leases, each device is
 * synced exactly once, by one of them, and never by both at the same time. First as two
 * real processes (`koprogo-iot daemon --once`, spawned together), then as two connection
 * pools in this process, where the lease edge cases are easier to set up.
 * Runs only when TEST_DATABASE_URL names a server.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { startSimulator } from '../../../src/simulator/server.js';
import { BIN } from '../../helpers/cli.js';
import { openServerDatabase } from '../../../src/db/server.js';
import type { Database } from '../../../src/db/types.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { newOwnerId } from '../../../src/sync/syncEnv.js';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  startTestSimulator,
  syncConfig,
  syncRuns,
} from './helpers.js';

const DEVICES = 20;

/** Runs the CLI; resolves with its exit code and stderr. */
function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('two daemon processes on one server', () => {
  it('started together, they sync every meter exactly once between them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-two-'));
    const t = await openTestDatabase('server');
    // Slow answers so that both processes are syncing at the same time.
    const sim = await startSimulator({ port: 0, faults: { latencyMs: 100 } });
    try {
      const b = await addBuilding(t.db, 'Les Tilleuls', 'Europe/Paris');
      const meters = sim.createMeters('enedis', 8);
      for (const m of meters)
        await insertDevice(t.db, {
          id: randomUUID(),
          buildingId: b.id,
          prm: m.prm,
          provider: 'enedis',
        });
      const configFile = path.join(dir, 'config.json');
      fs.writeFileSync(
        configFile,
        JSON.stringify({ sync: { concurrency: 2 }, providers: { enedis: { historyDays: 3 } } }),
      );
      const env = {
        DATABASE_URL: t.url as string,
        KOPROGO_IOT_CONFIG: configFile,
        KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
        XDG_CONFIG_HOME: path.join(dir, 'xdg'),
        KOPROGO_IOT_ENEDIS_BASE_URL: sim.url,
        KOPROGO_IOT_ENEDIS_CLIENT_ID: 'test',
        KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'test',
      };
      const [a, c] = await Promise.all([
        run(['daemon', '--once'], env),
        run(['daemon', '--once'], env),
      ]);
      expect([a.code, c.code]).toEqual([0, 0]);
      const runs = await t.db.query<{ prm: string; status: string; daemon_id: string }>(
        'SELECT prm, status, daemon_id FROM sync_runs ORDER BY prm',
      );
      // One successful run per meter: no meter synced twice, none left out.
      expect(runs.rows.map((r) => r.prm)).toEqual(meters.map((m) => m.prm).sort());
      expect(runs.rows.every((r) => r.status === 'success')).toBe(true);
      // Two different processes wrote them (daemon ids carry the pid).
      const pids = new Set(runs.rows.map((r) => r.daemon_id.split(':').at(-2)));
      expect(pids.size).toBeLessThanOrEqual(2);
      expect([...pids].every((p) => Number(p) !== process.pid)).toBe(true);
    } finally {
      await sim.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'two sync connection pools on one PostgreSQL server',
  () => {
    let t: TestDatabase;
    let other: Database;
    let sim: Simulator;

    beforeAll(async () => {
      t = await openTestDatabase('server');
      // The second process has its own connection pool.
      other = await openServerDatabase(t.url as string);
      sim = await startTestSimulator({
        faults: { latencyMs: 30 },
        quotas: { enedisPerSecond: 1000, enedisPerHour: 1_000_000 },
      });
    });
    afterAll(async () => {
      await sim?.close();
      await other?.close();
      await t?.close();
    });

    it('syncs every device exactly once between them', async () => {
      const meters = sim.createMeters('enedis', DEVICES);
      const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
      const config = syncConfig(sim, { historyDays: 7, enedisPerSecond: 500, concurrency: 3 });
      const ownerA = newOwnerId('daemon');
      const ownerB = newOwnerId('daemon');
      const [a, b] = await Promise.all([
        syncDevices(makeSyncEnv(t.db, config, { owner: ownerA }), { dueOnly: true }, { now: NOW }),
        syncDevices(makeSyncEnv(other, config, { owner: ownerB }), { dueOnly: true }, { now: NOW }),
      ]);
      const prmsA = a.map((r) => r.prm);
      const prmsB = b.map((r) => r.prm);
      expect(prmsA.filter((p) => prmsB.includes(p))).toEqual([]);
      expect([...prmsA, ...prmsB].sort()).toEqual(meters.map((m) => m.prm).sort());
      expect(prmsA.length).toBeGreaterThan(0);
      expect(prmsB.length).toBeGreaterThan(0);
      expect([...a, ...b].every((r) => r.status === 'success')).toBe(true);

      const runs = await syncRuns(t.db);
      expect(runs.length).toBe(DEVICES);
      for (const d of devices) {
        const mine = runs.filter((r) => r.device_id === d.id);
        expect(mine.map((r) => r.status)).toEqual(['success']);
        expect([ownerA, ownerB]).toContain(mine[0]!.daemon_id);
      }
      expect(new Set(runs.map((r) => r.daemon_id))).toEqual(new Set([ownerA, ownerB]));
      // Leases are all released, and a second cycle right away finds nothing due.
      const held = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM linky_devices WHERE lease_owner IS NOT NULL',
      );
      expect(held.rows[0]?.n).toBe(0);
      const [a2, b2] = await Promise.all([
        syncDevices(makeSyncEnv(t.db, config, { owner: ownerA }), { dueOnly: true }, { now: NOW }),
        syncDevices(makeSyncEnv(other, config, { owner: ownerB }), { dueOnly: true }, { now: NOW }),
      ]);
      expect([...a2, ...b2]).toEqual([]);
      expect((await syncRuns(t.db)).length).toBe(DEVICES);
    });

    it('never lets a second process take a device whose lease is live', async () => {
      const meters = sim.createMeters('enedis', 2);
      const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
      const config = syncConfig(sim, { historyDays: 7 });
      // A live lease held by another (running) process on device 0.
      await t.db.query(
        `UPDATE linky_devices SET lease_owner = 'daemon:elsewhere:1:abcdef', lease_expires_at = now() + interval '10 minutes' WHERE id = $1`,
        [devices[0]!.id],
      );
      const ids = devices.map((d) => d.id);
      const res = await syncDevices(
        makeSyncEnv(other, config),
        { dueOnly: false, deviceIds: ids },
        { now: NOW },
      );
      expect(res.map((r) => r.prm)).toEqual([meters[1]!.prm]);
      // Once that lease has expired (its process died elsewhere), the device is taken over.
      await t.db.query(
        `UPDATE linky_devices SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
        [devices[0]!.id],
      );
      const later = await syncDevices(
        makeSyncEnv(other, config),
        { dueOnly: false, deviceIds: ids },
        { now: NOW },
      );
      expect(later.map((r) => r.prm).sort()).toEqual(meters.map((m) => m.prm).sort());
    });
  },
);
