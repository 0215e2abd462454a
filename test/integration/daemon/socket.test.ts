/**
 * The daemon's socket on the embedded database: it comes back after a kill -9, it is
 * private to its owner whatever the umask, and a command busy through it does not keep the
 * other commands out.
 */
import { randomUUID } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { openDatabase } from '../../../src/db/open.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { BIN, runCli } from '../../helpers/cli.js';

let root: string;
let sim: Simulator;
let children: ChildProcess[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-socket-'));
  // Traversable by others, so the test of another user reaches the data directory itself.
  fs.chmodSync(root, 0o755);
  sim = await startSimulator({ port: 0 });
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
});
afterAll(async () => {
  await sim?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function dataDirWithMeter(name: string): Promise<Record<string, string>> {
  const env = {
    KOPROGO_IOT_DATA_DIR: path.join(root, name),
    XDG_CONFIG_HOME: path.join(root, `${name}-xdg`),
    DATABASE_URL: '',
    KOPROGO_IOT_ENEDIS_BASE_URL: sim.url,
    KOPROGO_IOT_ENEDIS_CLIENT_ID: 'test',
    KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'test',
  };
  const db = await openDatabase(resolveConfig({}, env, {}, null), { command: 'test setup' });
  const b = await addBuilding(db, 'Les Tilleuls', 'Europe/Paris');
  const prm = sim.createMeters('enedis', 1)[0]!.prm;
  await insertDevice(db, { id: randomUUID(), buildingId: b.id, prm, provider: 'enedis' });
  await db.close();
  return env;
}

/** Starts `daemon` (through `sh -c` when a umask is given) and waits until it serves. */
async function startDaemon(env: Record<string, string>, umask?: string): Promise<ChildProcess> {
  const cmd = umask
    ? spawn('sh', ['-c', `umask ${umask}; exec "$0" "$1" daemon`, process.execPath, BIN], {
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [BIN, 'daemon'], {
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  children.push(cmd);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    cmd.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      if (/daemon started/.test(log)) resolve();
    });
    cmd.on('exit', (code) => reject(new Error(`daemon exited ${code}:\n${log}`)));
  });
  return cmd;
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

function modes(dir: string): { path: string; mode: string }[] {
  const out: { path: string; mode: string }[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out.push({ path: path.relative(dir, p), mode: (fs.lstatSync(p).mode & 0o777).toString(8) });
  }
  return out;
}

describe('daemon socket', () => {
  it('a daemon killed -9 leaves its socket; the next one starts and serves', async () => {
    const env = await dataDirWithMeter('killed');
    const first = await startDaemon(env);
    await stop(first, 'SIGKILL');
    const socket = path.join(env.KOPROGO_IOT_DATA_DIR!, '.s.PGSQL.5432');
    expect(fs.existsSync(socket)).toBe(true); // what made the next start fail (EADDRINUSE)

    const second = await startDaemon(env);
    const status = await runCli(['status', '--json'], { env });
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as { daemons: { alive: boolean; pid: number }[] };
    expect(s.daemons.find((d) => d.pid === second.pid)?.alive).toBe(true);
    // Stopped by SIGTERM: 130, as the README's exit codes say (the unit counts it a success).
    expect(await stop(second, 'SIGTERM')).toBe(130);
  }, 120_000);

  it('under umask 000 the data directory, its files and the socket are private', async () => {
    const env = await dataDirWithMeter('umask');
    const dataDir = env.KOPROGO_IOT_DATA_DIR!;
    const daemon = await startDaemon(env, '000');
    try {
      const socket = path.join(dataDir, '.s.PGSQL.5432');
      expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
      expect((fs.statSync(socket).mode & 0o777).toString(8)).toBe('600');
      const open = modes(dataDir).filter((m) => (parseInt(m.mode, 8) & 0o077) !== 0);
      expect(open).toEqual([]);
      // As another local user (when the test runs as root): the connection is refused.
      const runuser = fs.existsSync('/usr/sbin/runuser') && process.getuid?.() === 0;
      if (runuser) {
        const probe = `require('net').connect(process.argv[1]).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',(e)=>{console.log(e.code);process.exit(0)})`;
        const r = spawnSync(
          'runuser',
          ['-u', 'nobody', '--', process.execPath, '-e', probe, socket],
          { encoding: 'utf8' },
        );
        expect(r.stdout.trim()).toBe('EACCES');
      }
    } finally {
      await stop(daemon, 'SIGTERM');
    }
  }, 120_000);

  it('a command busy through the daemon does not keep `status` out', async () => {
    const env = await dataDirWithMeter('busy');
    const daemon = await startDaemon(env);
    try {
      const busy = await openDatabase(resolveConfig({}, env, {}, null), { command: 'busy test' });
      expect(busy.kind).toBe('embedded-via-daemon');
      // A long job through the daemon: one query after another until `status` is answered.
      let statusDone = false;
      let queriesDuringStatus = 0;
      const job = (async () => {
        for (let i = 0; i < 2000 && !statusDone; i++) {
          await busy.query('SELECT count(*) FROM buildings');
          queriesDuringStatus++;
          await sleep(20);
        }
        return statusDone;
      })();
      const status = await runCli(['status', '--json'], { env });
      statusDone = true;
      expect(status.code).toBe(0);
      // `status` was answered while the job was still running, between its queries.
      expect(await job).toBe(true);
      expect(queriesDuringStatus).toBeGreaterThan(0);
      await busy.close();
    } finally {
      await stop(daemon, 'SIGTERM');
    }
  }, 120_000);
});
