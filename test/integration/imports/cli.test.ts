import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-import-cli-'));
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    DATABASE_URL: '',
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('import as a user runs it', () => {
  it('an unknown --format fails while parsing the command line, before any database opens', async () => {
    const r = await runCli(['import', 'whatever.csv', '--format', 'xlsx'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('fluvius');
    expect(fs.existsSync(env.KOPROGO_IOT_DATA_DIR as string)).toBe(false);
  });

  it(
    'imports a Fluvius export, and a file with escape sequences never reaches the terminal raw',
    { timeout: 240_000 },
    async () => {
      expect(
        (await runCli(['buildings', 'add', 'Gent', '--timezone', 'Europe/Brussels'], { env })).code,
      ).toBe(0);
      const ok = await runCli(['import', 'test/fixtures/imports/fluvius-day-night.csv'], { env });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('imported 3 readings (fluvius) into "Gent" / 541448000000000017');
      const evil = path.join(dir, 'evil.csv');
      fs.writeFileSync(
        evil,
        'timestamp,value\n2026-01-10T00:00:00+01:00,\u001b[2J\u001b[31mred\u0000\n',
      );
      const bad = await runCli(['import', evil], { env });
      expect(bad.code).toBe(8);
      expect(bad.stderr).toContain("line 2: value '\\x1b[2J\\x1b[31mred\\x00' is not a number");
      // eslint-disable-next-line no-control-regex
      expect(bad.stderr).not.toMatch(/[\u0000\u001b]/);
    },
  );
});
