import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type RunResult } from '../../helpers/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-init-'));
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    DATABASE_URL: '',
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the CLI in a pseudo-terminal (util-linux `script`), as the wizard needs; each time
 * the screen shows a `when` text, its keys are typed. Output and errors share the terminal.
 */
function runInTerminal(
  args: string[],
  steps: { when: string; keys: string }[],
): Promise<RunResult> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`);
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', quoted.join(' '), '/dev/null'], {
      cwd: dir,
      env: { ...process.env, ...env, NO_COLOR: '1', TERM: 'dumb', COLUMNS: '80' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const pending = [...steps];
    const typeWhenShown = () => {
      const next = pending[0];
      if (next && screen.includes(next.when)) {
        pending.shift();
        child.stdin.write(next.keys);
        typeWhenShown();
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      typeWhenShown();
    });
    child.stderr.on('data', (d: Buffer) => (screen += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: screen, stderr: screen });
    });
  });
}

/** What each terminal line finally shows: the text after its last erase, escapes removed. */
function visibleLines(screen: string): string[] {
  // eslint-disable-next-line no-control-regex
  const escape = /\x1b\[[0-9;?]*[A-Za-z]/g;
  return screen
    .replace(/\r/g, '')
    .split('\n')
    .map((line) => (line.split('\x1b[2K').pop() ?? '').replace(escape, ''));
}

describe('init', () => {
  it('writes a valid starter file with a rule per anomaly kind; Paris proposes Enedis', async () => {
    const file = path.join(dir, 'paris.json');
    const r = await runCli(
      ['init', '--yes', '--file', file, '--timezone', 'Europe/Paris', '--building', 'Les Tilleuls'],
      { env, cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Next: koprogo-iot link --provider enedis');
    expect(r.stdout).toContain('added building "Les Tilleuls"');
    const long = r.stdout.split('\n').filter((l) => l.length > 80 && !l.includes(file));
    expect(long).toEqual([]);
    const written = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      defaults: { timeZone: string };
      anomalies: Record<string, unknown>;
      alerts: { rules: { condition: string }[] };
    };
    expect(written.defaults.timeZone).toBe('Europe/Paris');
    expect(written.alerts.rules.map((x) => x.condition)).toEqual([
      'above_baseline',
      'night_baseload',
      'level_shift',
    ]);
    expect(written.anomalies).toMatchObject({
      persistenceMinutes: 90,
      minExcessWatts: 100,
      levelShiftAdoptWeeks: 3,
    });
    // The file it wrote is read back by every command.
    const list = await runCli(['--config', file, 'buildings', 'list', '--json'], { env, cwd: dir });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({
      buildings: [{ name: 'Les Tilleuls', timezone: 'Europe/Paris' }],
    });
  });

  it('Brussels proposes ORES; a flag overrides; an existing file without --force is a conflict', async () => {
    const file = path.join(dir, 'brussels.json');
    const r = await runCli(
      ['init', '--yes', '--json', '--file', file, '--timezone', 'Europe/Brussels'],
      {
        env,
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'ores', written: true, building: null });
    const again = await runCli(['init', '--yes', '--file', file], { env, cwd: dir });
    expect(again.code).toBe(10);
    expect(again.stderr).toContain('pass --force to overwrite it');
    const forced = await runCli(
      [
        'init',
        '--yes',
        '--force',
        '--file',
        file,
        '--timezone',
        'Europe/Brussels',
        '--provider',
        'enedis',
      ],
      { env, cwd: dir },
    );
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('Next: koprogo-iot link --provider enedis');
    const unknown = path.join(dir, 'unknown-provider.json');
    const bad = await runCli(['init', '--yes', '--file', unknown, '--provider', 'fluvius'], {
      env,
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Allowed choices are enedis, ores, p1');
    expect(fs.existsSync(unknown)).toBe(false);
  });

  it('declining "Overwrite?" in the wizard changes nothing and is not an error', async () => {
    const file = path.join(dir, 'keep.json');
    fs.writeFileSync(file, '{"defaults":{"timeZone":"Europe/Paris"}}\n');
    const r = await runInTerminal(['init', '--file', file], [{ when: 'Overwrite?', keys: 'n\r' }]);
    expect(r.stdout).toContain('nothing was changed');
    expect(r.stdout).not.toContain('error');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"defaults":{"timeZone":"Europe/Paris"}}\n');
  });

  it('the wizard follows the chosen zone, and Ctrl-C exits 130 without writing', async () => {
    const file = path.join(dir, 'wizard.json');
    const r = await runInTerminal(
      ['init', '--file', file],
      [
        { when: 'Building name', keys: 'Le Parc\r' },
        { when: 'Time zone of the building', keys: 'Europe/Paris\r' },
        { when: 'Meter provider', keys: '\r' },
      ],
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Next: koprogo-iot link --provider enedis');
    expect(visibleLines(r.stdout).filter((l) => l.length > 80 && !l.includes(file))).toEqual([]);
    expect(visibleLines(r.stdout)).toContain('✔ Meter provider: Enedis Linky (France)');
    const stopped = path.join(dir, 'stopped.json');
    const c = await runInTerminal(
      ['init', '--file', stopped],
      [{ when: 'Building name', keys: '\x03' }],
    );
    expect(c.code).toBe(130);
    expect(c.stdout).toContain('error: init interrupted; nothing was written');
    expect(c.stdout).not.toContain('unexpected');
    expect(fs.existsSync(stopped)).toBe(false);
  });
});
