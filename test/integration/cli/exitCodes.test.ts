/**
 * Every row of the README's exit-code table, produced by the built binary as a user runs it,
 * against the simulator and an embedded database in a temporary directory. Processes that
 * must be interrupted are signalled once a line they log says they got there.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { resolveBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { openDatabase } from '../../../src/db/open.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { BIN, runCli } from '../../helpers/cli.js';
import { linkThroughCli, spawnCli } from '../../helpers/spawnCli.js';

const KEY = 'c'.repeat(64);
const OTHER_KEY = 'd'.repeat(64);
let dir: string;
let sim: Simulator;
let env: Record<string, string>;
let prm = '';

const run = (args: string[], extra: Record<string, string | undefined> = {}) =>
  runCli(args, { env: { ...env, ...extra }, cwd: dir, timeoutMs: 120_000 });

function readme(): Map<number, string> {
  const text = fs.readFileSync(path.resolve('README.md'), 'utf8');
  const table = text.slice(text.indexOf('### Exit codes'));
  const rows = new Map<number, string>();
  for (const m of table.matchAll(/^\| (\d+)\s+\| (.+?)\s+\|$/gm)) rows.set(Number(m[1]), m[2]!);
  return rows;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-exit-'));
  sim = await startSimulator({ port: 0 });
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    KOPROGO_IOT_CONFIG: '',
    DATABASE_URL: '',
    KOPROGO_IOT_ENEDIS_BASE_URL: sim.url,
    KOPROGO_IOT_ENEDIS_CLIENT_ID: 'app',
    KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'secret',
    KOPROGO_IOT_ORES_BASE_URL: sim.url,
    KOPROGO_IOT_ORES_CLIENT_ID: 'ores-app',
    KOPROGO_IOT_ORES_CLIENT_SECRET: 'ores-secret',
    IOT_ENCRYPTION_KEY: KEY,
  };
});
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exit codes, one row of the README table at a time', () => {
  const seen = new Set<number>();
  const expectCode = (r: { code: number | null; stderr: string }, code: number) => {
    expect(r.code, r.stderr).toBe(code);
    seen.add(code);
  };

  it('0 success, 10 already exists, 2 bad usage', async () => {
    expectCode(await run(['buildings', 'add', 'Les Tilleuls', '--timezone', 'Europe/Brussels']), 0);
    const dup = await run(['buildings', 'add', 'les tilleuls']);
    expectCode(dup, 10);
    expect(dup.stderr).toMatch(/already exists/);
    const bad = await run(['readings', '--from', '2026-02-30']);
    expectCode(bad, 2);
  });

  it('3: a missing client id is said before any consent page, naming the variable', async () => {
    const r = await run(['link', '--provider', 'ores', '--no-browser', '--timeout', '5'], {
      KOPROGO_IOT_ORES_CLIENT_ID: '',
    });
    expectCode(r, 3);
    expect(r.stderr).toContain('KOPROGO_IOT_ORES_CLIENT_ID');
    expect(r.stderr).not.toContain('/oauth/authorize');
  });

  it('0: links a meter; while its backfill runs, stats answers; SIGINT stops the sync with 130', async () => {
    const link = await linkThroughCli(['--provider', 'ores'], env, dir);
    expectCode(link, 0);
    prm = /Linked meter (\d{18})/.exec(link.stdout)![1]!;
    // The first sync backfills 24 months at one ORES call per 2 s: minutes.
    const sync = spawnCli(['sync'], { env, cwd: dir });
    try {
      await sync.waitForStderr(/serving the embedded database/, 180_000);
      const stats = await run(['stats', '--period', 'month', '--json']);
      expectCode(stats, 0);
      expect(sync.child.exitCode).toBeNull(); // the sync was still running
      expect(JSON.parse(stats.stdout)).toHaveProperty('data_points');
    } finally {
      sync.child.kill('SIGINT');
    }
    const end = await sync.done;
    expectCode(end, 130);
    expect(end.stderr).toMatch(/"level":"warn","msg":"sync interrupted"/);
    expect(end.stderr).toMatch(/error: sync interrupted by SIGINT/);
  }, 180_000);

  it('3 for an unset or malformed key, 5 for a wrong one; the meter is not marked "error"', async () => {
    const unset = await run(['sync'], { IOT_ENCRYPTION_KEY: '' });
    expectCode(unset, 3);
    expect(unset.stderr).toContain('koprogo-iot keys generate');
    expectCode(await run(['sync'], { IOT_ENCRYPTION_KEY: 'abc123' }), 3);
    const wrong = await run(['sync'], { IOT_ENCRYPTION_KEY: OTHER_KEY });
    expectCode(wrong, 5);
    expect(wrong.stderr).toContain(prm);
    const status = await run(['status', '--json']);
    const doc = JSON.parse(status.stdout) as { devices: { prm: string; status: string }[] };
    expect(doc.devices.find((d) => d.prm === prm)?.status).toBe('active');
  });

  it('9 for a mistyped meter on every command that takes --device', async () => {
    for (const args of [
      ['stats', '--device', '999'],
      ['readings', '--device', '999'],
      ['anomalies', '--device', '999'],
      ['anomalies', 'list', '--device', '999'],
      ['sync', '--device', '999'],
    ]) {
      const r = await run(args);
      expectCode(r, 9);
      expect(r.stderr).toMatch(/999/);
      expect(r.stdout).toBe('');
    }
  });

  it('8 for an import with a bad row; 4 for an unreachable database', async () => {
    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, 'timestamp,value\n2026-01-10T00:00:00+01:00,abc\n');
    expectCode(await run(['import', csv]), 8);
    const db = await run(['buildings', 'list'], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
    });
    expectCode(db, 4);
  });

  it('7 when one meter of two does not sync, 6 when none does', async () => {
    // A second meter, at Enedis, registered directly (its link has its own tests).
    const config = resolveConfig({}, env, {}, null);
    const db = await openDatabase(config, { command: 'test setup' });
    const b = await resolveBuilding(db, 'Les Tilleuls', undefined);
    const enedisPrm = sim.createMeters('enedis', 1)[0]!.prm;
    await insertDevice(db, {
      id: randomUUID(),
      buildingId: b.id,
      prm: enedisPrm,
      provider: 'enedis',
    });
    await db.close();
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const dead = { KOPROGO_IOT_ENEDIS_BASE_URL: 'http://127.0.0.1:1' };
    expectCode(await run(['sync', '--from', from], dead), 7);
    expectCode(await run(['sync', '--device', enedisPrm, '--from', from], dead), 6);
  }, 180_000);

  it('130 when the daemon is stopped by SIGINT', async () => {
    const daemon = spawnCli(['daemon', '--poll-minutes', '60'], { env, cwd: dir });
    await daemon.waitForStderr(/cycle done|daemon started/, 120_000);
    daemon.child.kill('SIGINT');
    expectCode(await daemon.done, 130);
  }, 180_000);

  it('130 for Ctrl-C in the unlink prompt, without calling it a bug', async () => {
    // `script` gives the command a terminal, where unlink asks before deleting.
    const cmd = `${process.execPath} ${BIN} unlink ${prm}`;
    const tty = spawnCli([], {
      env,
      cwd: dir,
      argv0: ['script', '-qec', cmd, '/dev/null'],
      stdinOpen: true,
    });
    const asked = new Promise<void>((resolve) => {
      const on = (d: Buffer) => {
        if (/Unlink|unlink/.test(d.toString())) {
          tty.child.stdout!.off('data', on);
          resolve();
        }
      };
      tty.child.stdout!.on('data', on);
    });
    await asked;
    tty.child.stdin!.write('\x03'); // Ctrl-C, as the prompt reads it on its terminal
    tty.child.stdin!.end();
    const r = await tty.done;
    expectCode(r, 130);
    expect(r.stdout).toContain('error: interrupted');
    expect(r.stdout + r.stderr).not.toMatch(/unexpected|report it/);
    const still = await run(['devices', '--json']);
    expect(still.stdout).toContain(prm);
  });

  it('covers every row of the README table but 1 (a bug cannot be produced on purpose)', () => {
    const documented = [...readme().keys()].filter((c) => c !== 1);
    expect(documented.length).toBeGreaterThan(10);
    expect(documented.filter((c) => !seen.has(c))).toEqual([]);
  });
});
