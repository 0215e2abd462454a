/**
 * The main screens at 80 and 120 columns, with and without colour, as the built binary prints
 * them: no line wider than the terminal, no identifier (meter number, anomaly id) or time cut,
 * and snapshots of the screens whose content does not depend on today's date.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { resolveBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { openDatabase } from '../../../src/db/open.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { stripAnsi } from '../../../src/ui/color.js';
import { runCli } from '../../helpers/cli.js';

const BUILDING = 'Résidence Les Tilleuls du Parc Royal';
/** An imported series named like an ORES EAN: 18 digits that must never be cut. */
const SERIES = '541449200000000017';
let dir: string;
let sim: Simulator;
let env: Record<string, string>;
let prm = '';

/** Half-hours from `from` for `days` days; evenings of the last `spikeDays` days five times higher. */
function csv(from: Date, days: number, spikeDays = 0): string {
  const lines = ['timestamp,value'];
  const n = days * 48;
  for (let i = 0; i < n; i++) {
    const t = new Date(from.getTime() + i * 1_800_000);
    const hour = t.getUTCHours();
    let v = 0.4 + 0.3 * Math.sin((hour / 24) * 2 * Math.PI) + (i % 7) * 0.01;
    if (i >= n - spikeDays * 48 && hour >= 17 && hour < 21) v *= 5;
    lines.push(`${t.toISOString()},${v.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

const screen = (args: string[], width: number, color: boolean) =>
  runCli(args, {
    env: { ...env, COLUMNS: String(width), ...(color ? { FORCE_COLOR: '1' } : {}) },
    cwd: dir,
    timeoutMs: 120_000,
  });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-screens-'));
  sim = await startSimulator({ port: 0 });
  env = {
    KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    KOPROGO_IOT_CONFIG: '',
    DATABASE_URL: '',
    KOPROGO_IOT_ENEDIS_BASE_URL: sim.url,
    KOPROGO_IOT_ENEDIS_CLIENT_ID: 'app',
    KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'secret',
    IOT_ENCRYPTION_KEY: 'e'.repeat(64),
    LANG: 'en_US.UTF-8',
  };
  const add = await runCli(['buildings', 'add', BUILDING, '--timezone', 'Europe/Brussels'], {
    env,
    cwd: dir,
  });
  expect(add.code, add.stderr).toBe(0);
  const january = path.join(dir, 'january.csv');
  fs.writeFileSync(january, csv(new Date('2025-12-31T23:00:00Z'), 31));
  const recent = path.join(dir, 'recent.csv');
  const start = new Date(Date.now() - 40 * 86_400_000);
  start.setUTCHours(0, 0, 0, 0);
  fs.writeFileSync(recent, csv(start, 39, 3));
  for (const file of [january, recent]) {
    const r = await runCli(['import', file, '--device', SERIES], { env, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  }
  const config = resolveConfig({}, env, {}, null);
  const db = await openDatabase(config, { command: 'test setup' });
  const b = await resolveBuilding(db, BUILDING, undefined);
  prm = sim.createMeters('enedis', 1)[0]!.prm;
  await insertDevice(db, { id: randomUUID(), buildingId: b.id, prm, provider: 'enedis' });
  await db.close();
}, 180_000);
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function checkFits(text: string, width: number): void {
  for (const line of stripAnsi(text).split('\n'))
    expect([...line].length, `line over ${width}: ${line}`).toBeLessThanOrEqual(width);
}

/** An identifier or a time followed by an ellipsis was cut. */
function checkNothingCut(text: string, ids: string[]): void {
  const plain = stripAnsi(text);
  expect(plain).not.toMatch(/\d{2}:\d{0,1}…|\d{4}-\d{2}-\d{0,2}…/);
  for (const id of ids) expect(plain).toContain(id);
}

const CASES = [
  { width: 80, color: false },
  { width: 80, color: true },
  { width: 120, color: false },
  { width: 120, color: true },
];

describe.each(CASES)('screens at $width columns, colour $color', ({ width, color }) => {
  const name = `${width}${color ? '-colour' : ''}`;

  it('readings, stats and report: fit, nothing cut, as in the snapshot', async () => {
    const readings = await screen(
      ['readings', '--from', '2026-01-10', '--to', '2026-01-10', '--per-page', '6'],
      width,
      color,
    );
    const stats = await screen(
      ['stats', '--period', 'week', '--from', '2026-01-01', '--to', '2026-01-31', '--chart'],
      width,
      color,
    );
    const report = await screen(['report', '--month', '2026-01'], width, color);
    for (const r of [readings, stats, report]) {
      expect(r.code, r.stderr).toBe(0);
      checkFits(r.stdout, width);
    }
    checkNothingCut(readings.stdout, [
      SERIES,
      '2026-01-10 00:00 +01:00',
      '2026-01-10 02:30 +01:00',
    ]);
    checkNothingCut(stats.stdout, ['2026-W02']);
    expect(stripAnsi(stats.stdout)).toMatch(/vs prev/);
    expect(readings.stdout).toMatchSnapshot(`readings ${name}`);
    expect(stats.stdout).toMatchSnapshot(`stats ${name}`);
    // The report's meter table shows when the meter last synced (the wall clock): checked for
    // fit and whole identifiers above, not against a snapshot.
  }, 120_000);

  it('sync summary, devices, status, buildings, anomalies and their list: fit, ids whole', async () => {
    const from = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const sync = await screen(['sync', '--device', prm, '--from', from], width, color);
    expect(sync.code, sync.stderr).toBe(0);
    const anomalies = await screen(['anomalies', '--device', SERIES], width, color);
    expect(anomalies.code, anomalies.stderr).toBe(0);
    const stored = await runCli(['anomalies', 'list', '--json'], { env, cwd: dir });
    const ids = (JSON.parse(stored.stdout) as { anomalies: { id: string }[] }).anomalies.map((a) =>
      a.id.slice(0, 8),
    );
    expect(ids.length).toBeGreaterThan(0);
    const list = await screen(['anomalies', 'list'], width, color);
    const devices = await screen(['devices'], width, color);
    const status = await screen(['status'], width, color);
    const buildings = await screen(['buildings', 'list'], width, color);
    for (const r of [sync, anomalies, list, devices, status, buildings]) {
      expect(r.code, r.stderr).toBe(0);
      checkFits(r.stdout, width);
    }
    checkNothingCut(sync.stdout, [prm]);
    checkNothingCut(devices.stdout, [prm]);
    checkNothingCut(status.stdout, [prm]);
    checkNothingCut(list.stdout, ids);
    checkNothingCut(anomalies.stdout, [ids[0]!]);
    // One language per screen: English here (LANG=en_US), no French alert text.
    expect(stripAnsi(anomalies.stdout + list.stdout)).not.toMatch(/consommation|supérieure/i);
    expect(stripAnsi(buildings.stdout)).toContain('Europe/Brussels');
  }, 180_000);
});
