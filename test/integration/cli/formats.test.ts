/**
 * Output formats are part of each command's options: a format the command lacks is a usage
 * error while the command line is parsed, before any database opens. Runs the built binary
 * (`npm run build` first).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let dataDir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-formats-'));
  dataDir = path.join(dir, 'data');
  env = { KOPROGO_IOT_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), DATABASE_URL: '' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('--format choices', () => {
  it.each([
    ['report', ['report', '--format', 'csv'], 'table, json'],
    ['status', ['status', '--format', 'csv'], 'table, json'],
    ['db status', ['db', 'status', '--format', 'csv'], 'table, json'],
    ['stats', ['stats', '--format', 'xml'], 'table, json, csv'],
  ])('%s refuses a format it lacks with exit 2, opening no database', async (_n, args, allowed) => {
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Allowed choices are ${allowed}`);
    expect(r.stdout).toBe('');
    // The embedded database would have been created in the data directory.
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('--help lists the formats a command has', async () => {
    const r = await runCli(['report', '--help'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /--format <format>\s+output format \(choices: "table", "json",\s+default:\s+"table"\)/,
    );
  });
});
