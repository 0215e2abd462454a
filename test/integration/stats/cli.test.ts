/**
 * `stats`, `anomalies` and `report` as a user runs them: the built binary (run
 * `npm run build` first) on an embedded database in a temporary data directory.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import { upsertReadings } from '../../../src/db/readings.js';
import type { Reading } from '../../../src/domain/readings.js';
import { runCli } from '../../helpers/cli.js';
import { ZONE, meterReadings, plainMeter } from './fixtures.js';

const PRM = '25000000000042';
const DAY_MS = 86_400_000;
let dir: string;
let env: Record<string, string>;

/** 1–7 October 2025: every half-hour of day d (0..6) holds 0.1 × (d + 1) kWh. */
function firstWeekOfOctober(buildingId: string): Reading[] {
  const out: Reading[] = [];
  const start = Date.parse('2025-09-30T22:00:00Z'); // 1 October, local midnight
  for (let d = 0; d < 7; d++) {
    for (let i = 0; i < 48; i++) {
      out.push({
        buildingId,
        deviceRef: PRM,
        deviceType: 'electricity_meter',
        metricType: 'electricity_consumption',
        timestamp: new Date(start + d * DAY_MS + i * 1_800_000),
        intervalSeconds: 1800,
        value: 0.1 * (d + 1),
        unit: 'kWh',
        source: 'test',
      });
    }
  }
  return out;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-stats-'));
  const dataDir = path.join(dir, 'data');
  env = { KOPROGO_IOT_DATA_DIR: dataDir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), DATABASE_URL: '' };
  const db = await openEmbeddedDatabase(dataDir);
  try {
    await migrate(db);
    const b = await addBuilding(db, 'Résidence Les Tilleuls', ZONE);
    await upsertReadings(db, firstWeekOfOctober(b.id));
    // The last 60 days up to now, with a heater stuck on five days ago: something to find.
    const now = Date.now();
    const heaterStart = Math.floor((now - 5 * DAY_MS) / 3_600_000) * 3_600_000;
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
    await upsertReadings(
      db,
      meterReadings(
        meter,
        b.id,
        new Date(now - 60 * DAY_MS).toISOString(),
        new Date(now).toISOString(),
      ),
    );
    await insertDevice(db, { id: randomUUID(), buildingId: b.id, prm: PRM, provider: 'enedis' });
  } finally {
    await db.close();
  }
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const OCTOBER_WEEK = ['--period', 'day', '--from', '2025-10-01', '--to', '2025-10-07'];

describe('stats, anomalies and report from the command line', () => {
  it('stats --format json prints the seed shape', async () => {
    const r = await runCli(['stats', ...OCTOBER_WEEK, '--format', 'json'], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      metric_type: string;
      period: string;
      unit: string;
      date_range: { start: string; end: string };
      statistics: { total: number; count: number; min: number; max: number; avg: number };
      data_points: { period: string; total: number; coverage: number; comparison: unknown }[];
      comparison: { previous_period: string | null; previous_year: string | null };
    };
    expect(doc.metric_type).toBe('electricity_consumption');
    expect(doc.period).toBe('day');
    expect(doc.unit).toBe('kWh');
    expect(doc.date_range).toEqual({
      start: '2025-09-30T22:00:00.000Z',
      end: '2025-10-07T22:00:00.000Z',
    });
    expect(doc.data_points.map((p) => p.period)).toEqual([
      '2025-10-01',
      '2025-10-02',
      '2025-10-03',
      '2025-10-04',
      '2025-10-05',
      '2025-10-06',
      '2025-10-07',
    ]);
    doc.data_points.forEach((p, d) => expect(p.total).toBeCloseTo(4.8 * (d + 1), 6));
    expect(doc.statistics).toMatchObject({ count: 336, min: 0.1, max: 0.7 });
    expect(doc.statistics.total).toBeCloseTo(134.4, 6);
    expect(doc.data_points[1]?.comparison).toEqual({
      previous_period: '+100.0%',
      previous_year: null,
    });
    expect(doc.comparison).toEqual({ previous_period: '+16.7%', previous_year: null });
  });

  it('stats --chart draws the totals per period with their labels', async () => {
    const r = await runCli(['stats', ...OCTOBER_WEEK, '--chart'], {
      env: { ...env, COLUMNS: '60' },
    });
    expect(r.code).toBe(0);
    const [table, chart, carbon] = r.stdout.split('\n\n');
    expect(table).toMatch(/^2025-10-04\s+19\.200\s+0\.4000/m);
    expect(chart).toMatchInlineSnapshot(`
      "Total per day (kWh)
      kWh
       34┤                                               ╭───────
       31┤                                               │
       28┤                                       ╭───────╯
       25┤                                       │
       22┤                               ╭───────╯
       19┤                       ╭───────╯
       16┤                       │
       13┤               ╭───────╯
       11┤               │
        8┤       ╭───────╯
        5┤───────╯
         ├───────────────┬───────────────┬───────────────────────
         2025-10-01      2025-10-03      2025-10-05"
    `);
    // After the chart: kg CO2e per day from the Belgian default factor.
    expect(carbon).toMatch(/^2025-10-04\s+3\.216$/m);
  });

  it('anomalies --format csv starts with its header and lists what it found', async () => {
    const r = await runCli(['anomalies', '--format', 'csv'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'id,device_ref,kind,timestamp,end,value,baseline,avg_7d,variance_percent,severity,message,ongoing,peak_watts,size_w,acknowledged',
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toMatch(new RegExp(`^[0-9a-f-]{36},${PRM},spike,`));
  });

  it('lists stored anomalies, acknowledges one by its short id, and says so once', async () => {
    const list = await runCli(['anomalies', 'list', '--format', 'json'], { env });
    expect(list.code).toBe(0);
    const open = (JSON.parse(list.stdout) as { anomalies: { id: string }[] }).anomalies;
    expect(open.length).toBeGreaterThan(0);
    const id = open[0]?.id as string;
    const ack = await runCli(['anomalies', 'ack', id.slice(0, 8), '--by', 'alice'], { env });
    expect(ack.code).toBe(0);
    expect(ack.stdout).toContain(`acknowledged anomaly ${id}`);
    const again = await runCli(['anomalies', 'ack', id, '--by', 'bob'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already acknowledged .* by alice; nothing changed/);
    const after = await runCli(['anomalies', 'list', '--all', '--format', 'json'], { env });
    const all = (
      JSON.parse(after.stdout) as { anomalies: { id: string; acknowledged_by: string | null }[] }
    ).anomalies;
    expect(all.find((a) => a.id === id)?.acknowledged_by).toBe('alice');
    const stillOpen = await runCli(['anomalies', 'list', '--format', 'json'], { env });
    expect(
      (JSON.parse(stillOpen.stdout) as { anomalies: { id: string }[] }).anomalies.map((a) => a.id),
    ).not.toContain(id);
  });

  it('an unknown anomaly id exits 9', async () => {
    const r = await runCli(['anomalies', 'ack', '00000000-0000-4000-8000-000000000000'], { env });
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('no anomaly with id 00000000-0000-4000-8000-000000000000');
  });

  it('a threshold of 100 % or less is a usage error that says what the number means', async () => {
    const r = await runCli(['anomalies', '--threshold', '90'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threshold is a percentage of the baseline and must be above 100/);
  });

  it('report shows the month, its partial coverage, the chart and the meter', async () => {
    const r = await runCli(['report', '--month', '2025-10'], { env: { ...env, COLUMNS: '100' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Résidence Les Tilleuls — October 2025 (Europe/Brussels)');
    expect(r.stdout).toMatch(/^Total\s+134\.400\s+-\s+-$/m);
    expect(r.stdout).toContain('Coverage 22.5% (336 of 1490 intervals): partial month');
    expect(r.stdout).toContain('Daily total (kWh)');
    expect(r.stdout).toContain('Open anomalies (0)');
    expect(r.stdout).toMatch(new RegExp(`^${PRM}\\s+enedis\\s+active`, 'm'));

    const json = await runCli(['report', '--month', '2025-10', '--format', 'json'], { env });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      month: string;
      summary: { total: number };
      daily: unknown[];
    };
    expect(doc.month).toBe('2025-10');
    expect(doc.summary.total).toBeCloseTo(134.4, 6);
    expect(doc.daily).toHaveLength(31);
  });
});
