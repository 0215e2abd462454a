/**
 * `anomalies` as a user reads it: the level on the threshold's scale, `--help` saying how
 * the threshold and the statistical test combine, "not enough history" for a new meter,
 * and `--explain ID` showing the day against its baseline band, as a chart and as JSON.
 * The built binary (run `npm run build` first) on an embedded database of its own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { runCli } from '../../helpers/cli.js';
import { ZONE, meterReadings, plainMeter } from './fixtures.js';

const DAY_MS = 86_400_000;
const PRM = '25000000000042';
const NEW_PRM = '25000000000077';
let dir: string;
let env: Record<string, string>;
let heaterStart: number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-explain-'));
  const dataDir = path.join(dir, 'data');
  env = { KOPROGO_IOT_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), DATABASE_URL: '' };
  const db = await openEmbeddedDatabase(dataDir);
  try {
    await migrate(db);
    const b = await addBuilding(db, 'Résidence Les Tilleuls', ZONE);
    const now = Date.now();
    // A 3 kW heater stuck on for four hours five days ago, on 60 days of history.
    heaterStart = Math.floor((now - 5 * DAY_MS) / 3_600_000) * 3_600_000;
    const meter = plainMeter({
      prm: PRM,
      anomalies: [
        {
          kind: 'stuck_heater',
          start: new Date(heaterStart).toISOString(),
          end: new Date(heaterStart + 4 * 3_600_000).toISOString(),
          factor: 1,
          addedW: 3000,
        },
      ],
    });
    const from = new Date(now - 60 * DAY_MS).toISOString();
    await upsertReadings(db, meterReadings(meter, b.id, from, new Date(now).toISOString()));
    // A meter linked nine days ago: too little history to judge anything yet.
    const young = plainMeter({ prm: NEW_PRM, seed: 99 });
    const since = new Date(now - 9 * DAY_MS).toISOString();
    await upsertReadings(db, meterReadings(young, b.id, since, new Date(now).toISOString()));
  } finally {
    await db.close();
  }
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Detected {
  anomalies: { id: string; device_ref: string; timestamp: string; end: string; value: number }[];
  not_enough_history: { device_ref: string; history: string; judged_from: string | null }[];
}

describe('anomalies on the terminal', () => {
  it('says "not enough history" for a young meter and when judging starts', async () => {
    const r = await runCli(['anomalies', '--format', 'json'], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Detected;
    const young = doc.not_enough_history.find((h) => h.device_ref === NEW_PRM);
    expect(young?.history).toBe('none');
    expect(doc.anomalies.some((a) => a.device_ref === NEW_PRM)).toBe(false);
    // Fourteen usable days after its first reading, nine days ago: in five days.
    const starts = Date.parse(young?.judged_from ?? '');
    expect(Math.abs(starts - (Date.now() + 5 * DAY_MS))).toBeLessThan(DAY_MS);
    expect(doc.not_enough_history.some((h) => h.device_ref === PRM && h.history === 'none')).toBe(
      false,
    );

    const table = await runCli(['anomalies', '--device', NEW_PRM], {
      env: { ...env, COLUMNS: '120' },
    });
    expect(table.stdout).toMatch(
      /not enough history, nothing judged .*judging starts \d{4}-\d\d-\d\d/,
    );
  });

  it('shows the level as a share of the baseline, the threshold scale', async () => {
    const r = await runCli(['anomalies', '--device', PRM, '--threshold', '150'], {
      env: { ...env, COLUMNS: '160' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('threshold 150% of baseline');
    expect(r.stdout).toContain('% of baseline');
    const json = await runCli(['anomalies', '--device', PRM, '--format', 'json'], { env });
    const heater = (JSON.parse(json.stdout) as Detected).anomalies.find(
      (a) =>
        Date.parse(a.timestamp) < heaterStart + 4 * 3_600_000 && Date.parse(a.end) > heaterStart,
    ) as Detected['anomalies'][number] & { baseline: number };
    // The table's figure is value / baseline, e.g. 290%, not the excess (+190%).
    const level = Math.round((heater.value / heater.baseline) * 100);
    expect(r.stdout).toMatch(new RegExp(`\\b${level}%`));
  });

  it('--help says how the threshold and the statistical test combine', async () => {
    const r = await runCli(['anomalies', 'detect', '--help'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--threshold <percent>');
    expect(r.stdout).toContain('--explain <id>');
    expect(r.stdout).toMatch(/Threshold and statistical test:/);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/AND unusual for this meter/);
  });

  it('--explain ID charts the day against its baseline and lists what fired', async () => {
    const det = await runCli(['anomalies', '--device', PRM, '--format', 'json'], { env });
    const heater = (JSON.parse(det.stdout) as Detected).anomalies.find(
      (a) =>
        Date.parse(a.timestamp) < heaterStart + 4 * 3_600_000 && Date.parse(a.end) > heaterStart,
    );
    expect(heater?.id).toBeDefined();
    const id = (heater?.id as string).slice(0, 8);

    const json = await runCli(['anomalies', '--explain', id, '--format', 'json'], { env });
    expect(json.code).toBe(0);
    const x = JSON.parse(json.stdout) as {
      anomaly: { id: string };
      threshold_percent: number;
      intervals: {
        timestamp: string;
        watts: number;
        baseline_watts: number;
        threshold_watts: number;
        limit_watts: number;
        over: boolean;
        in_anomaly: boolean;
      }[];
    };
    expect(x.anomaly.id).toBe(heater?.id);
    expect(x.threshold_percent).toBe(120);
    // A whole local day at least, half-hour by half-hour.
    expect(x.intervals.length).toBeGreaterThanOrEqual(46);
    const fired = x.intervals.filter((p) => p.in_anomaly && p.over);
    expect(fired.length).toBeGreaterThanOrEqual(3);
    for (const p of fired) {
      // Over the limit, which is at least the threshold: the stuck heater's 3 kW shows.
      expect(p.watts).toBeGreaterThan(p.limit_watts);
      expect(p.limit_watts).toBeGreaterThanOrEqual(p.threshold_watts - 0.1);
      expect(p.watts - p.baseline_watts).toBeGreaterThan(2000);
    }
    // Outside the heater's hours the day stays under its limit.
    expect(x.intervals.filter((p) => !p.in_anomaly && p.over).length).toBeLessThan(3);

    const table = await runCli(['anomalies', '--explain', id], { env: { ...env, COLUMNS: '90' } });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`Anomaly ${id}`);
    expect(table.stdout).toContain('measured, baseline, limit (threshold 120 %');
    expect(table.stdout).toContain('Intervals over the limit:');
    expect(table.stdout).toMatch(/┤/);
  });

  it('--explain of an unknown id exits 9', async () => {
    const r = await runCli(['anomalies', '--explain', '00000000-0000-4000-8000-000000000000'], {
      env,
    });
    expect(r.code).toBe(9);
  });
});
