/**
 * The README's "With a real meter" path, step by step, against the simulator: init, keys
 * generate, link, sync, stats, anomalies, report, status, unlink; then the systemd unit that
 * `daemon --print-systemd-unit` prints is started as systemd would start it (its Environment=
 * lines, the secrets of its EnvironmentFile, its ExecStart arguments, from `/` with another
 * HOME) with `--once`, and must sync the meter linked in the data the user set up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { runCli, type RunResult } from '../../helpers/cli.js';
import { linkThroughCli, spawnCli } from '../../helpers/spawnCli.js';

let dir: string;
let sim: Simulator;
/** The user's shell: their HOME and XDG dirs, the simulator standing in for ORES. */
let shell: Record<string, string | undefined>;

const step = (args: string[]): Promise<RunResult> =>
  runCli(args, { env: shell, cwd: dir, timeoutMs: 600_000 });

/** The environment and arguments systemd starts the service with. */
function serviceOf(unit: string): { env: Record<string, string>; argv: string[] } {
  const env: Record<string, string> = {};
  let argv: string[] = [];
  const words = (s: string) =>
    (s.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? []).map((w) =>
      w.replace(/^"(.*)"$/, '$1').replace(/\\(["\\])/g, '$1'),
    );
  for (const line of unit.split('\n')) {
    const m = /^(Environment|ExecStart)=(.*)$/.exec(line);
    if (m?.[1] === 'ExecStart') argv = words(m[2]!);
    else if (m)
      for (const w of words(m[2]!)) env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
  }
  return { env, argv };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-walk-'));
  sim = await startSimulator({ port: 0 });
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  shell = {
    HOME: home,
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    KOPROGO_IOT_DATA_DIR: undefined,
    KOPROGO_IOT_CONFIG: undefined,
    DATABASE_URL: undefined,
    IOT_ENCRYPTION_KEY: undefined,
    KOPROGO_IOT_ORES_BASE_URL: sim.url,
  };
});
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a building manager follows the README with a (simulated) ORES meter', () => {
  let prm = '';

  it('init, keys generate, link, sync, stats, anomalies, report, status, unlink', async () => {
    const init = await step([
      'init',
      '--building',
      'Résidence Les Tilleuls',
      '--timezone',
      'Europe/Brussels',
    ]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Next: koprogo-iot link --provider ores');
    // The simulator answers at once; ORES's spacing of 2 s per call would make the year's
    // backfill take minutes here. This is the one change to the file init wrote.
    const file = path.join(dir, 'koprogo-iot.config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    config.providers.ores.rateLimit = { perDeviceIntervalMs: 0 };
    fs.writeFileSync(file, JSON.stringify(config, null, 2));

    const key = await step(['keys', 'generate']);
    expect(key.code).toBe(0);
    shell.IOT_ENCRYPTION_KEY = key.stdout.trim();
    expect(shell.IOT_ENCRYPTION_KEY).toMatch(/^[0-9a-f]{64}$/);
    shell.KOPROGO_IOT_ORES_CLIENT_ID = 'my-ores-app';
    shell.KOPROGO_IOT_ORES_CLIENT_SECRET = 'my-ores-secret';

    const link = await linkThroughCli(['--provider', 'ores'], shell, dir);
    expect(link.code, link.stderr).toBe(0);
    prm = /Linked meter (\d{18}) \(ORES\) to building "Résidence Les Tilleuls"/.exec(
      link.stdout,
    )![1]!;

    const sync = await step(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toContain(prm);
    expect(sync.stdout).toMatch(/success/);

    const stats = await step(['stats', '--period', 'month', '--chart']);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/Résidence Les Tilleuls \(Europe\/Brussels\)/);
    expect(stats.stdout).toMatch(/┤/); // the chart's axis

    const anomalies = await step(['anomalies', '--threshold', '150']);
    expect(anomalies.code, anomalies.stderr).toBe(0);
    const report = await step(['report']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('Résidence Les Tilleuls');
    const status = await step(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(prm);

    const unlink = await step(['unlink', prm, '--yes']);
    expect(unlink.code, unlink.stderr).toBe(0);
    const devices = await step(['devices', '--json']);
    expect(JSON.parse(devices.stdout).devices).toEqual([]);
  }, 600_000);

  it('the printed systemd unit starts a daemon that syncs the meter linked by the user', async () => {
    const link = await linkThroughCli(['--provider', 'ores'], shell, dir);
    expect(link.code, link.stderr).toBe(0);
    const linked = /Linked meter (\d{18})/.exec(link.stdout)![1]!;

    const printed = await step(['daemon', '--print-systemd-unit']);
    expect(printed.code, printed.stderr).toBe(0);
    const unit = printed.stdout;
    expect(unit).toContain(`User=${os.userInfo().username}`);
    expect(unit).toContain('/var/lib/koprogo-iot'); // how to move the data there, if wanted
    const service = serviceOf(unit);
    expect(service.env.KOPROGO_IOT_DATA_DIR).toBe(
      path.join(dir, 'home', '.local', 'share', 'koprogo-iot'),
    );
    expect(service.argv).toContain('--config');
    expect(service.argv[service.argv.indexOf('--config') + 1]).toBe(
      fs.realpathSync(path.join(dir, 'koprogo-iot.config.json')),
    );
    for (const p of service.argv.slice(0, 2)) expect(path.isAbsolute(p)).toBe(true);

    // systemd: working directory /, the unit's user with its own HOME, the unit's variables
    // and the secrets from the EnvironmentFile. Nothing of the shell that ran init.
    const secrets = {
      IOT_ENCRYPTION_KEY: shell.IOT_ENCRYPTION_KEY,
      KOPROGO_IOT_ORES_CLIENT_ID: shell.KOPROGO_IOT_ORES_CLIENT_ID,
      KOPROGO_IOT_ORES_CLIENT_SECRET: shell.KOPROGO_IOT_ORES_CLIENT_SECRET,
      KOPROGO_IOT_ORES_BASE_URL: sim.url,
    };
    const otherHome = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-walk-home-'));
    const clean: Record<string, string | undefined> = {};
    for (const k of Object.keys(process.env))
      if (/^(KOPROGO_IOT_|XDG_|IOT_)/.test(k)) clean[k] = undefined;
    const daemon = spawnCli(['--once', '--json'], {
      env: { ...clean, DATABASE_URL: undefined, HOME: otherHome, ...service.env, ...secrets },
      cwd: '/',
      argv0: service.argv,
    });
    const end = await daemon.done;
    fs.rmSync(otherHome, { recursive: true, force: true });
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).not.toMatch(/no meter is linked/);
    const doc = JSON.parse(end.stdout) as {
      devices: { prm: string; status: string; synced_readings: number }[];
    };
    expect(doc.devices).toEqual([expect.objectContaining({ prm: linked, status: 'success' })]);
    expect(doc.devices[0]!.synced_readings).toBeGreaterThan(48 * 300);
  }, 600_000);

  it('a daemon on an empty data directory says it has nothing to sync, and status says so too', async () => {
    const empty = path.join(dir, 'empty-data');
    const env = { ...shell, KOPROGO_IOT_DATA_DIR: empty };
    const once = await runCli(['daemon', '--once'], { env, cwd: dir, timeoutMs: 120_000 });
    expect(once.code, once.stderr).toBe(0);
    expect(once.stderr).toMatch(/"level":"warn","msg":"no meter is linked in this database/);
    expect(once.stderr).toContain(empty);
    const daemon = spawnCli(['daemon'], { env, cwd: dir });
    try {
      await daemon.waitForStderr(/daemon started/, 180_000);
      const status = await runCli(['status'], { env, cwd: dir });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/warning: a daemon is running, but no meter is linked/);
    } finally {
      daemon.child.kill('SIGTERM');
    }
    expect((await daemon.done).code).toBe(130);
  }, 300_000);
});
