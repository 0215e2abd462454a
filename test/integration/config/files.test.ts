import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadConfig,
  missingProviderCredentials,
  requireProviderCredentials,
  resolveConfig,
} from '../../../src/config.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { BIN, runCli } from '../../helpers/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-config-'));
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    DATABASE_URL: '',
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function thrown(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config files', () => {
  it('a file holding null, a list or a string is an error naming the file (exit 3)', async () => {
    for (const [name, text] of [
      ['null.json', 'null'],
      ['list.json', '[]'],
      ['text.json', '"settings"'],
    ] as const) {
      const file = write(name, text);
      const e = thrown(() => loadConfig({ flags: { config: file }, env, cwd: dir }));
      expect(e.message).toBe(`${file}: the top level must be a JSON object`);
    }
    const r = await runCli(['--config', path.join(dir, 'null.json'), 'buildings', 'list'], {
      env,
      cwd: dir,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('null.json: the top level must be a JSON object');
    expect(r.stderr).not.toContain('unexpected');
  });

  it('a found local file is read, and an explicit missing one is an error', () => {
    const local = fs.mkdtempSync(path.join(dir, 'cwd-'));
    fs.writeFileSync(path.join(local, 'koprogo-iot.config.json'), '{"sync":{"concurrency":2}}');
    const c = loadConfig({ env, cwd: local });
    expect(c.configFile).toBe(path.join(local, 'koprogo-iot.config.json'));
    expect(c.sync.concurrency).toBe(2);
    const e = thrown(() => loadConfig({ flags: { config: 'nope.json' }, env, cwd: local }));
    expect(e.message).toBe(`config file ${path.join(local, 'nope.json')} does not exist`);
  });
});

describe('the data directory', () => {
  it('--data-dir naming a file, or a path under a file, is a config error with a hint', async () => {
    const file = write('not-a-dir', 'x');
    for (const [arg, what] of [
      [file, `"${file}" is a file, not a directory`],
      [
        path.join(file, 'sub'),
        `"${path.join(file, 'sub')}" cannot be created: "${file}" is a file`,
      ],
    ] as const) {
      const r = await runCli(['--data-dir', arg, 'buildings', 'list'], { env, cwd: dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`database.dataDir (from --data-dir) ${what}`);
      expect(r.stderr).toContain(
        'hint: give --data-dir (or KOPROGO_IOT_DATA_DIR) a directory you can write',
      );
      expect(r.stderr).not.toContain('unexpected');
    }
  });

  // Write permission means nothing to root: the check runs as the unprivileged user "nobody".
  const asNobody = process.getuid?.() === 0 && spawnSync('runuser', ['--help']).status === 0;
  it.runIf(asNobody)(
    'a directory the user cannot write is a config error, not "unexpected"',
    () => {
      const open = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-perm-'));
      fs.chmodSync(open, 0o755);
      const locked = path.join(open, 'locked');
      fs.mkdirSync(locked, { mode: 0o555 });
      try {
        const r = spawnSync(
          'runuser',
          [
            '-u',
            'nobody',
            '--',
            process.execPath,
            BIN,
            '--data-dir',
            path.join(locked, 'db'),
            'buildings',
            'list',
          ],
          {
            env: { PATH: process.env.PATH, HOME: open, XDG_CONFIG_HOME: open, NO_COLOR: '1' },
            cwd: open,
            encoding: 'utf8',
          },
        );
        expect(r.stderr).toContain(`cannot be created: "${locked}" is not writable by this user`);
        expect(r.stderr).toContain('hint: give --data-dir');
        expect(r.status).toBe(3);
      } finally {
        fs.rmSync(open, { recursive: true, force: true });
      }
    },
  );

  it('names the variable when the bad directory came from the environment', () => {
    const file = write('also-a-file', 'x');
    const e = thrown(() => resolveConfig({}, { KOPROGO_IOT_DATA_DIR: file }, {}, null));
    expect(e.message).toContain(`database.dataDir (from KOPROGO_IOT_DATA_DIR) "${file}" is a file`);
    const both = thrown(() =>
      resolveConfig({ sync: { retries: 99 } }, { KOPROGO_IOT_DATA_DIR: file }, {}, null),
    );
    expect(both.message).toMatch(/^configuration has 2 problem\(s\):/);
    expect(both.message).toContain('sync.retries must be an integer from 0 to 10');
    expect(both.hint).toContain('a directory you can write');
    // With a server database the directory is not used, so it is not checked.
    expect(
      resolveConfig({}, { KOPROGO_IOT_DATA_DIR: file, DATABASE_URL: 'postgres://h/db' }, {}, null)
        .database.url,
    ).toBe('postgres://h/db');
  });
});

describe('provider credentials before a consent', () => {
  const base = { HOME: '/home/manager' };

  it('lists every missing credential with the variable to set', () => {
    const none = resolveConfig({}, base, {}, null);
    const e = thrown(() => requireProviderCredentials(none, 'enedis'));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe(
      'providers.enedis.clientId is not set; the enedis client secret is not set',
    );
    expect(e.hint).toContain(
      'set KOPROGO_IOT_ENEDIS_CLIENT_ID and KOPROGO_IOT_ENEDIS_CLIENT_SECRET in the environment',
    );
    expect(e.hint).toContain('providers.enedis.clientId');
    const ores = thrown(() => requireProviderCredentials(none, 'ores'));
    expect(ores.message).toBe('providers.ores.clientId is not set');
    expect(ores.hint).toContain('KOPROGO_IOT_ORES_CLIENT_ID');
  });

  it('asks only for what is missing, and nothing once everything is set', () => {
    const idOnly = resolveConfig({}, { ...base, KOPROGO_IOT_ENEDIS_CLIENT_ID: 'app' }, {}, null);
    expect(missingProviderCredentials(idOnly, 'enedis').map((m) => m.variable)).toEqual([
      'KOPROGO_IOT_ENEDIS_CLIENT_SECRET',
    ]);
    const all = resolveConfig(
      { providers: { ores: { clientId: 'from-file' } } },
      { ...base, KOPROGO_IOT_ENEDIS_CLIENT_ID: 'app', KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 's' },
      {},
      null,
    );
    expect(() => requireProviderCredentials(all, 'enedis')).not.toThrow();
    // ORES is a public client (PKCE): its id is enough.
    expect(() => requireProviderCredentials(all, 'ores')).not.toThrow();
  });
});
