/**
 * Dates and data-directory paths that used to slip through: each is now a one-line usage
 * or configuration error with its exit code, and nothing stored is touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../../helpers/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-dates-'));
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    DATABASE_URL: '',
  };
  const added = await runCli(
    ['buildings', 'add', 'Les Tilleuls', '--timezone', 'Europe/Brussels'],
    {
      env,
    },
  );
  expect(added.code).toBe(0);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('dates on the command line', () => {
  it.each([
    [['readings', '--from='], /--from is empty/],
    [['readings', '--to='], /--to is empty/],
    [['stats', '--from='], /--from is empty/],
    [['readings', '--from', '2026-01-01T00:00+25:00'], /offset \+25:00 does not exist/],
    [['readings', '--from', '2026-01-01T00:00+99:99'], /offset \+99:99 does not exist/],
    [['readings', '--to', '2026-01-01T00:00-14:30'], /offset -14:30 does not exist/],
    [['readings', '--from', '0001-01-01', '--to', '9999-12-31'], /outside 1970–2100/],
    [['readings', '--from', '1969-12-31'], /outside 1970–2100/],
    [['sync', '--from', '2026-05-01', '--to', '2026-01-01'], /--from .* must be before --to/],
    [['stats', '--from', '2026-05-01', '--to', '2026-01-01'], /--from .* must be before --to/],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected/);
    // One error line (log lines of the process, such as `sync` serving the database, aside).
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
  });

  it('an offset of +14:00 and dates in range are accepted', async () => {
    const r = await runCli(
      ['readings', '--json', '--from', '2026-01-01T00:00+14:00', '--to', '2026-01-02'],
      { env },
    );
    expect(r.code).toBe(0);
  });
});

describe('--data-dir that cannot be used', () => {
  it('a file is a configuration error (exit 3) with a hint', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a directory');
    for (const target of [file, path.join(file, 'below')]) {
      const r = await runCli(['--data-dir', target, 'status'], { env });
      expect(r.code).toBe(3);
      // Found while the configuration is read, with every other problem, naming its key.
      expect(r.stderr).toContain(`database.dataDir (from --data-dir) "${target}"`);
      expect(r.stderr).toMatch(/is a file, not a directory|cannot be created/);
      expect(r.stderr).toMatch(/hint: give --data-dir \(or KOPROGO_IOT_DATA_DIR\) a directory/);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a directory');
  });

  it('a directory this user cannot write is a configuration error (exit 3)', async () => {
    const locked = path.join(dir, 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    fs.chmodSync(dir, 0o755);
    const target = path.join(locked, 'data');
    // root writes anywhere: run the command as an unprivileged user when the test is root.
    const asRoot = process.getuid?.() === 0;
    const r = asRoot
      ? spawnSync(
          'runuser',
          ['-u', 'nobody', '--', process.execPath, BIN, '--data-dir', target, 'status'],
          {
            encoding: 'utf8',
            env: { ...process.env, ...env, HOME: dir },
          },
        )
      : spawnSync(process.execPath, [BIN, '--data-dir', target, 'status'], {
          encoding: 'utf8',
          env: { ...process.env, ...env },
        });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/is not writable by this user/);
  });
});
