/**
 * `koprogo-iot sync` killed with SIGKILL in the middle of a backfill, then run again: the
 * stale data-directory lock and the dead process's leases are taken over, the backfill
 * resumes, and the rows are exactly those of an undisturbed run. Needs `npm run build`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDayOf } from '../../../src/analytics/periods.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import type { SimMeter } from '../../../src/simulator/loadModel.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { BIN, runCli } from '../../helpers/cli.js';
import {
  expectedRows,
  newBuilding,
  registerMeters,
  storedRows,
  syncRuns,
  testEnv,
  type Row,
  type RunRow,
} from './helpers.js';

const HISTORY = 90;
const DIST_CLI = path.resolve(path.dirname(BIN), '..', 'dist', 'cli.js');

describe('kill -9 during a backfill', () => {
  let sim: Simulator;
  let tmp: string;
  let meters: SimMeter[];
  let answered = 0;

  beforeAll(async () => {
    if (!fs.existsSync(DIST_CLI))
      throw new Error('dist/cli.js is missing: run `npm run build` first');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-kill-'));
    // The CLI runs on the real clock, so the simulator does too.
    sim = await startSimulator({
      port: 0,
      seed: 23,
      faults: { latencyMs: 150 },
      log: (line) => {
        if (/courbe_de_charge.* 200/.test(line)) answered++;
      },
    });
    meters = sim.createMeters('enedis', 2);
    fs.writeFileSync(
      path.join(tmp, 'config.json'),
      JSON.stringify({
        providers: { enedis: { baseUrl: sim.url, historyDays: HISTORY } },
        sync: { concurrency: 2 },
      }),
    );
  });
  afterAll(async () => {
    await sim?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function prepareDataDir(name: string): Promise<string> {
    const dir = path.join(tmp, name);
    const db = await openEmbeddedDatabase(dir);
    try {
      await migrate(db);
      await registerMeters(db, sim, await newBuilding(db), meters);
    } finally {
      await db.close();
    }
    return dir;
  }

  function cliEnv(dataDir: string): Record<string, string> {
    return {
      ...testEnv(),
      KOPROGO_IOT_CONFIG: path.join(tmp, 'config.json'),
      KOPROGO_IOT_DATA_DIR: dataDir,
      HOME: tmp,
      XDG_CONFIG_HOME: path.join(tmp, 'xdg'),
      XDG_DATA_HOME: path.join(tmp, 'xdg'),
    };
  }

  async function readBack(dataDir: string): Promise<{ rows: Row[]; runs: RunRow[] }> {
    const db = await openEmbeddedDatabase(dataDir);
    try {
      return { rows: await storedRows(db), runs: await syncRuns(db) };
    } finally {
      await db.close();
    }
  }

  it('resumes and ends with the rows of an undisturbed run', async () => {
    const calm = await prepareDataDir('calm');
    const killed = await prepareDataDir('killed');

    const undisturbed = await runCli(['--json', 'sync'], { env: cliEnv(calm), timeoutMs: 120_000 });
    expect(undisturbed.stderr).not.toMatch(/"level":"error"/);
    expect(undisturbed.code).toBe(0);
    const out = JSON.parse(undisturbed.stdout) as {
      devices: { status: string; synced_readings: number }[];
    };
    expect(out.devices.map((d) => d.status)).toEqual(['success', 'success']);

    // Second data directory: kill the process once a few windows have been answered.
    answered = 0;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...cliEnv(killed) }))
      if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [BIN, '--json', 'sync'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, sig) => resolve(sig)),
    );
    const deadline = Date.now() + 60_000;
    while (answered < 8 && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 20));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(stdout).toBe('');
    // The lock file of the dead process is still there.
    expect(fs.existsSync(path.join(killed, 'koprogo-iot.lock'))).toBe(true);

    // Look at a copy, so the CLI itself meets the stale lock.
    const copy = path.join(tmp, 'killed-copy');
    // The killed process also left its database socket (it served the database while it
    // ran): a socket cannot be copied, and the next holder removes it anyway.
    fs.cpSync(killed, copy, { recursive: true, filter: (src) => !src.endsWith('.s.PGSQL.5432') });
    const middle = await readBack(copy);
    const full = (await readBack(calm)).rows;
    expect(middle.rows.length).toBeGreaterThan(0);
    expect(middle.rows.length).toBeLessThan(full.length);
    expect(middle.runs.map((r) => r.status)).toEqual(['running', 'running']);

    const resumed = await runCli(['--json', 'sync'], { env: cliEnv(killed), timeoutMs: 120_000 });
    expect(resumed.code).toBe(0);
    const res = JSON.parse(resumed.stdout) as {
      devices: { status: string; synced_readings: number }[];
    };
    expect(res.devices.map((d) => d.status)).toEqual(['success', 'success']);

    const after = await readBack(killed);
    expect(after.rows).toEqual(full);
    const today = localDayOf(new Date(), 'Europe/Paris');
    // Calendar days, not 24-hour steps: across a DST change those drift by an hour.
    const first = addDays(today, -(HISTORY - 1));
    const model = meters.flatMap((m) => expectedRows(m, first, today, 'Europe/Paris'));
    expect(after.rows.length).toBe(model.length);
    // The killed runs are closed as interrupted, not left running for ever.
    const byStatus = after.runs.map((r) => r.status).sort();
    expect(byStatus).toEqual(['interrupted', 'interrupted', 'success', 'success']);
    // The resumed runs wrote exactly what the killed one had not committed (the overlap
    // re-reads committed days, which changes nothing).
    const resumedWritten = after.runs
      .filter((r) => r.status === 'success')
      .reduce((n, r) => n + r.readings_written, 0);
    expect(resumedWritten).toBe(full.length - middle.rows.length);
    expect(fs.existsSync(path.join(killed, 'koprogo-iot.lock'))).toBe(false);
  }, 240_000);
});
