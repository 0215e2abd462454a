/**
 * The command-line contract of the cost views, through the built binary (run `npm run
 * build` first): conflicting flags fail at once with exit 2 and one line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/domain/errors.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-costs-cli-'));
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    DATABASE_URL: '',
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('stats --compare and --peak on the command line', () => {
  it('refuses both at once with exit 2 and one line', async () => {
    const r = await runCli(['stats', '--compare', '--peak'], { env });
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toBe('error: --compare and --peak cannot be combined\n');
    expect(r.stdout).toBe('');
  }, 60_000);

  it('names the key of a bad building surface in the config file (exit 3)', async () => {
    const config = path.join(dir, 'bad.json');
    fs.writeFileSync(config, JSON.stringify({ buildings: { 'Les Tilleuls': { surfaceM2: 0 } } }));
    const r = await runCli(['--config', config, 'stats', '--compare'], { env });
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.stderr).toContain(
      'buildings.Les Tilleuls.surfaceM2 must be a number from 1 to 10000000',
    );
  }, 60_000);
});
