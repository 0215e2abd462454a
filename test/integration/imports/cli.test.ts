import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setStreams } from '../../../src/commands/context.js';
import { buildProgram } from '../../../src/program.js';
import { runCli } from '../../helpers/cli.js';

/** Runs the program in-process with stderr posing as a terminal. */
async function runOnTerminal(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { isTTY: true });
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  setStreams({ stdout: out, stderr: err });
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
  } finally {
    setStreams(null);
  }
  return { stdout, stderr };
}

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

  it(
    'on a terminal, import says what it is doing on stderr; --json stays quiet',
    { timeout: 240_000 },
    async () => {
      const dataDir = path.join(dir, 'terminal');
      const base = ['--data-dir', dataDir];
      await runOnTerminal([...base, 'buildings', 'add', 'Brugge', '--timezone', 'Europe/Brussels']);
      const shown = await runOnTerminal([
        ...base,
        'import',
        'test/fixtures/imports/fluvius-day-night.csv',
      ]);
      expect(shown.stderr).toContain('read 5 rows with a value; checking…');
      expect(shown.stderr).toContain('writing 3 readings…');
      expect(shown.stdout).toContain('imported 3 readings (fluvius)');
      const quiet = await runOnTerminal([
        ...base,
        '--json',
        'import',
        'test/fixtures/imports/fluvius-day-night.csv',
      ]);
      expect(quiet.stderr).not.toContain('checking');
      expect(JSON.parse(quiet.stdout)).toMatchObject({ parsed: 3, written: 0, unchanged: 3 });
    },
  );
});
