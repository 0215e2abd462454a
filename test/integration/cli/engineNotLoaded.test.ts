/**
 * Commands that need no database must not load the database engine: on a small host the
 * engine is most of a command's memory and time. Each command runs as a user runs it, with a
 * preloaded module whose loader hooks write down every module the process loads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let preload: string;

/** The engine (PGlite and its TimescaleDB build) and the daemon's socket server on it. */
const ENGINE_MODULE = /\/node_modules\/@(unni-craftsman\/pglite|electric-sql\/pglite[^/]*)\//;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-engine-'));
  const hooks = path.join(dir, 'record-hooks.mjs');
  fs.writeFileSync(
    hooks,
    [
      "import fs from 'node:fs';",
      'export async function load(url, context, next) {',
      "  fs.appendFileSync(process.env.LOADED_MODULES_FILE, url + '\\n');",
      '  return next(url, context);',
      '}',
    ].join('\n'),
  );
  preload = path.join(dir, 'record.mjs');
  fs.writeFileSync(
    preload,
    [
      "import { register } from 'node:module';",
      `register(${JSON.stringify(new URL(`file://${hooks}`).href)});`,
    ].join('\n'),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI in a fresh data directory; returns what it printed and what it loaded. */
async function loadedBy(args: string[]) {
  const run = fs.mkdtempSync(path.join(dir, 'run-'));
  const list = path.join(run, 'loaded.txt');
  const dataDir = path.join(run, 'data');
  const r = await runCli(args, {
    env: {
      KOPROGO_IOT_DATA_DIR: dataDir,
      XDG_CONFIG_HOME: path.join(run, 'xdg'),
      DATABASE_URL: '',
      LOADED_MODULES_FILE: list,
      NODE_OPTIONS: `--import=${preload}`,
    },
    timeoutMs: 120_000,
  });
  const modules = fs.existsSync(list) ? fs.readFileSync(list, 'utf8').split('\n') : [];
  return { ...r, modules, engine: modules.filter((m) => ENGINE_MODULE.test(m)), dataDir };
}

describe('commands that need no database', () => {
  it.each([[['--help']], [['--version']], [['keys', 'generate']], [['simulator', '--help']]])(
    '%j runs without loading the engine or creating the data directory',
    async (args) => {
      const r = await loadedBy(args);
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
      // The recorder did run: the program's own entry point is in the list.
      expect(r.modules.some((m) => m.endsWith('/dist/cli.js'))).toBe(true);
      expect(r.engine).toEqual([]);
      expect(fs.existsSync(r.dataDir)).toBe(false);
    },
    120_000,
  );
});

describe('a command that reads the embedded database', () => {
  it('buildings list loads the engine (so the check above can see it)', async () => {
    const r = await loadedBy(['buildings', 'list', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(expect.anything());
    expect(r.engine.some((m) => m.includes('/pglite/dist/index.js'))).toBe(true);
    expect(fs.existsSync(r.dataDir)).toBe(true);
  }, 180_000);
});
