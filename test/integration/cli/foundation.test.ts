import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-cli-'));
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    DATABASE_URL: '',
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('the CLI as a user runs it', () => {
  it('--help lists subcommands, global options, environment and exit codes', async () => {
    const r = await runCli(['--help'], { env });
    expect(r.code).toBe(0);
    for (const s of [
      'buildings',
      'import',
      'readings',
      'db',
      '--config',
      '--database-url',
      '--json',
      '--quiet',
      '--verbose',
      'IOT_ENCRYPTION_KEY',
      'DATABASE_URL',
      'Exit codes:',
    ])
      expect(r.stdout).toContain(s);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
    const r = await runCli(['--version'], { env });
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('an unknown flag is a usage error (exit 2)', async () => {
    const r = await runCli(['readings', '--bogus'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  it('adds and lists buildings; a duplicate name is a conflict (exit 10)', async () => {
    const a = await runCli(
      ['buildings', 'add', 'Résidence Les Tilleuls', '--timezone', 'Europe/Brussels'],
      { env },
    );
    expect(a.code).toBe(0);
    const dup = await runCli(['buildings', 'add', 'résidence les tilleuls'], { env });
    expect(dup.code).toBe(10);
    expect(dup.stderr).toMatch(/^error: a building named .* already exists/);
    const bad = await runCli(['buildings', 'add', 'X', '--timezone', 'Mars/Olympus'], { env });
    expect(bad.code).toBe(2);
    const l = await runCli(['buildings', 'list', '--json'], { env });
    expect(l.code).toBe(0);
    const doc = JSON.parse(l.stdout) as { buildings: { name: string; timezone: string }[] };
    expect(doc.buildings.map((b) => b.name)).toEqual(['Résidence Les Tilleuls']);
  });

  it('an import with a bad row writes nothing and names the line (exit 8)', async () => {
    const csv = file(
      'bad.csv',
      'timestamp,value\n2026-01-10T00:00:00+01:00,0.5\n2026-01-10T00:30:00+01:00,abc\n2026-01-10T01:00:00+01:00,-1\n',
    );
    const r = await runCli(['import', csv], { env });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('line 3');
    expect(r.stderr).toContain('line 4');
    expect(r.stderr).toContain('nothing was imported');
    const q = await runCli(['readings', '--from', '2026-01-01', '--to', '2026-01-31', '--json'], {
      env,
    });
    expect(JSON.parse(q.stdout).pagination.total).toBe(0);
  });

  it('--skip-invalid imports the valid rows; importing again adds nothing', async () => {
    const csv = file(
      'mixed.csv',
      'timestamp,value\n2026-01-10T00:00:00+01:00,0.5\n2026-01-10T00:30:00+01:00,0.7\n2026-01-10T01:00:00+01:00,oops\n',
    );
    const r = await runCli(['import', csv, '--skip-invalid', '--json'], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { written: number; invalid: number };
    expect(doc).toMatchObject({ written: 2, invalid: 1 });
    const again = await runCli(['import', csv, '--skip-invalid', '--json'], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ written: 0, unchanged: 2 });
  });

  it('a CSV with a missing stretch keeps it a gap; a duplicate timestamp is a bad row', async () => {
    const gap = file(
      'gap.csv',
      '2026-02-01T00:00:00+01:00,0.5\n2026-02-01T00:30:00+01:00,0.5\n2026-02-01T03:00:00+01:00,0.5\n2026-02-01T03:30:00+01:00,0.5\n',
    );
    const r = await runCli(['import', gap, '--device', 'gap-series', '--json'], { env });
    expect(r.code).toBe(0);
    const q = await runCli(
      [
        'readings',
        '--from',
        '2026-02-01',
        '--to',
        '2026-02-01',
        '--device',
        'gap-series',
        '--json',
      ],
      { env },
    );
    const secs = (
      JSON.parse(q.stdout) as { readings: { interval_seconds: number }[] }
    ).readings.map((x) => x.interval_seconds);
    expect(secs).toEqual([1800, 1800, 1800, 1800]);
    const dup = file(
      'dup.csv',
      '2026-02-02T00:00:00+01:00,0.5\n2026-02-02T00:30:00+01:00,0.6\n2026-02-02T00:00:00+01:00,0.7\n',
    );
    const d = await runCli(['import', dup, '--device', 'dup-series'], { env });
    expect(d.code).toBe(8);
    expect(d.stderr).toContain(
      'line 3: duplicate timestamp 2026-02-01T23:00:00.000Z (also on line 1)',
    );
  });

  it('imports a saved Enedis answer of the October DST day: 50 half-hours, W turned into kWh', async () => {
    const r = await runCli(
      ['import', 'test/fixtures/providers/enedis-2026-october-dst-30min.json', '--json'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      format: 'enedis-2026',
      device_ref: '12345678901234',
      parsed: 50,
      written: 50,
    });
    const q = await runCli(
      [
        'readings',
        '--from',
        '2025-10-26',
        '--to',
        '2025-10-26',
        '--device',
        '12345678901234',
        '--json',
        '--per-page',
        '100',
      ],
      { env },
    );
    const doc = JSON.parse(q.stdout) as { readings: { timestamp: string; value: number }[] };
    expect(doc.readings).toHaveLength(50);
    // The day's first interval starts at local midnight (+02:00); 400 W for 30 min = 0.2 kWh.
    expect(doc.readings[0]).toMatchObject({ timestamp: '2025-10-25T22:00:00.000Z', value: 0.2 });
    expect(doc.readings[49]?.timestamp).toBe('2025-10-26T22:30:00.000Z');
    const noMeter = file('nometer.json', JSON.stringify({ grandeur: [] }));
    const bad = await runCli(['import', noMeter], { env });
    expect(bad.code).toBe(8);
    expect(bad.stderr).toContain('--device');
  });

  it('readings --format json has the seed shape with pagination', async () => {
    const r = await runCli(
      [
        'readings',
        '--from',
        '2026-01-10',
        '--to',
        '2026-01-10',
        '--format',
        'json',
        '--per-page',
        '1',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.pagination).toEqual({ page: 1, per_page: 1, total: 2, total_pages: 2 });
    expect(doc.readings[0]).toMatchObject({
      value: 0.5,
      unit: 'kWh',
      metric_type: 'electricity_consumption',
      device_type: 'electricity_meter',
      timestamp: '2026-01-09T23:00:00.000Z',
      source: 'import',
    });
    const csv = await runCli(
      ['readings', '--from', '2026-01-10', '--to', '2026-01-10', '--format', 'csv'],
      { env },
    );
    expect(csv.stdout.split('\n')[0]).toBe(
      'timestamp,value,unit,metric_type,device_type,device_ref,interval_seconds,source,building_id',
    );
    expect(csv.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('bad dates and --per-page over 1000 are usage errors', async () => {
    expect((await runCli(['readings', '--from', '2026-02-30'], { env })).code).toBe(2);
    expect((await runCli(['readings', '--from', 'yesterday'], { env })).code).toBe(2);
    const pp = await runCli(['readings', '--per-page', '1001'], { env });
    expect(pp.code).toBe(2);
    expect(pp.stderr).toContain('--per-page must be an integer from 1 to 1000');
  });

  it('a config file with several problems reports them all (exit 3)', async () => {
    const cfg = file(
      'bad-config.json',
      JSON.stringify({
        defaults: { timeZone: 'Nowhere/City' },
        sync: { overlapDays: -1 },
        database: { url: 'postgres://u:hunter2pw@h/db' },
        typo: 1,
      }),
    );
    const r = await runCli(['--config', cfg, 'buildings', 'list'], { env });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('defaults.timeZone');
    expect(r.stderr).toContain('sync.overlapDays');
    expect(r.stderr).toContain('database.url');
    expect(r.stderr).toContain('typo');
    expect(r.stderr).not.toContain('hunter2pw');
  });

  it('a second process on the same data directory is refused, naming the holder', async () => {
    const held = await openEmbeddedDatabase(env.KOPROGO_IOT_DATA_DIR as string, {
      command: 'test holder',
    });
    try {
      const r = await runCli(['buildings', 'list'], { env });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`in use by process ${process.pid}`);
    } finally {
      await held.close();
    }
    expect((await runCli(['buildings', 'list'], { env })).code).toBe(0);
  });
});
