/**
 * `tariffs simulate` run in-process as a user runs it, on an embedded database in a
 * temporary data directory, with plans from a tariffs file and a Tempo calendar beside it;
 * and one bad-input case through the built binary (run `npm run build` first).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../../../src/cli.js';
import { setStreams } from '../../../src/commands/context.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { EXIT } from '../../../src/domain/errors.js';
import type { MetricType, Reading } from '../../../src/domain/readings.js';
import { buildProgram } from '../../../src/program.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let dataDir: string;
let tariffsFile: string;

function readings(
  buildingId: string,
  zone: string,
  fromDay: string,
  toDay: string,
  seconds: number,
  kwh: (t: DateTime) => number,
  metricType: MetricType = 'electricity_consumption',
): Reading[] {
  const out: Reading[] = [];
  const end = DateTime.fromISO(toDay, { zone }).toMillis();
  for (let ms = DateTime.fromISO(fromDay, { zone }).toMillis(); ms < end; ms += seconds * 1000)
    out.push({
      buildingId,
      deviceRef: '541448000000000001',
      deviceType: 'electricity_meter',
      metricType,
      timestamp: new Date(ms),
      intervalSeconds: seconds,
      value: kwh(DateTime.fromMillis(ms, { zone })),
      unit: 'kWh',
      source: 'test',
    });
  return out;
}

const TARIFFS = {
  plans: {
    base: {
      country: 'FR',
      kind: 'base',
      versions: [
        {
          validFrom: '2025-08-01',
          energy: { base: '0.2016' },
          taxes: [{ label: 'Accise', perKwh: '0.0225' }],
          subscription: { kva: 9, perMonthByKva: { '9': '15.65' } },
          vatPercent: 20,
        },
      ],
    },
    hphc: {
      country: 'FR',
      kind: 'hp-hc',
      label: 'HP/HC 22:00–06:00',
      versions: [
        {
          validFrom: '2025-08-01',
          offPeak: [{ from: '22:00', to: '06:00' }],
          energy: { hp: '0.2146', hc: '0.1696' },
          taxes: [{ label: 'Accise', perKwh: '0.0225' }],
          subscription: { kva: 9, perMonthByKva: { '9': '15.65' } },
          vatPercent: 20,
        },
      ],
    },
    tempo: {
      country: 'FR',
      kind: 'tempo',
      tempoCalendar: 'tempo-2026.csv',
      versions: [
        {
          validFrom: '2025-08-01',
          energy: {
            'blue-hc': '0.1288',
            'blue-hp': '0.1552',
            'white-hc': '0.1447',
            'white-hp': '0.1792',
            'red-hc': '0.1518',
            'red-hp': '0.6586',
          },
          vatPercent: 20,
        },
      ],
    },
    fluvius: {
      country: 'BE',
      kind: 'be-single',
      versions: [
        {
          validFrom: '2026-01-01',
          energy: { single: '0.30' },
          capacity: { perKwYear: '53.76', mode: 'monthly-peak' },
          injection: { perKwh: '0.04' },
          vatPercent: 6,
        },
      ],
    },
    'fluvius-rolling': {
      country: 'BE',
      kind: 'be-single',
      versions: [
        {
          validFrom: '2026-01-01',
          energy: { single: '0.30' },
          capacity: { perKwYear: '53.76', mode: 'rolling-12-month-average' },
          vatPercent: 6,
        },
      ],
    },
  },
  buildings: { 'Maison Molière': [{ validFrom: '2026-01-01', plan: 'fluvius' }] },
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-tariffs-'));
  dataDir = path.join(dir, 'data');
  tariffsFile = path.join(dir, 'tariffs.json');
  fs.writeFileSync(tariffsFile, JSON.stringify({ tariffs: TARIFFS }));
  fs.writeFileSync(
    path.join(dir, 'tempo-2026.csv'),
    'date,colour\n2026-01-14,BLUE\n2026-01-15,WHITE\n',
  );
  const db = await openEmbeddedDatabase(dataDir);
  try {
    await migrate(db);
    const fr = await addBuilding(db, 'Les Tilleuls', 'Europe/Paris');
    await upsertReadings(
      db,
      readings(fr.id, 'Europe/Paris', '2026-01-15', '2026-01-16', 1800, () => 0.5),
    );
    const be = await addBuilding(db, 'Maison Molière', 'Europe/Brussels');
    const spike = (t: DateTime) => (t.toFormat("dd'T'HH:mm") === '10T18:00' ? 1 : 0.25);
    await upsertReadings(
      db,
      readings(be.id, 'Europe/Brussels', '2026-09-01', '2026-10-01', 900, spike),
    );
    // August: one 5 kW quarter-hour (1.25 kWh), the history of the rolling average.
    const august = (t: DateTime) => (t.toFormat("dd'T'HH:mm") === '20T19:00' ? 1.25 : 0.25);
    await upsertReadings(
      db,
      readings(be.id, 'Europe/Brussels', '2026-08-01', '2026-09-01', 900, august),
    );
    const sunny = (t: DateTime) => (t.hour >= 12 && t.hour < 14 && t.day === 5 ? 0.5 : 0);
    await upsertReadings(
      db,
      readings(
        be.id,
        'Europe/Brussels',
        '2026-09-01',
        '2026-10-01',
        900,
        sunny,
        'electricity_production',
      ),
    );
  } finally {
    await db.close();
  }
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = capture();
  const err = capture();
  setStreams({ stdout: out.stream, stderr: err.stream });
  let code: number = EXIT.OK;
  try {
    await buildProgram().parseAsync(['--data-dir', dataDir, ...args], { from: 'user' });
  } catch (e) {
    code = reportError(e, err.stream, false);
  } finally {
    setStreams(null);
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

const simulate = ['tariffs', 'simulate', '--tariffs'];

describe('tariffs simulate', () => {
  it('prices one French day under three plans side by side (JSON)', async () => {
    const r = await run([
      ...simulate,
      tariffsFile,
      '--plan',
      'hphc',
      '--plan',
      'base',
      '--plan',
      'tempo',
      '--building',
      'Les Tilleuls',
      '--from',
      '2026-01-15',
      '--to',
      '2026-01-15',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      plans: { name: string; bill: { total: string; consumptionKwh: string } }[];
    };
    // hphc: 3.43 + 1.36 + 0.54 + 0.50 = 5.83, VAT 1.17, total 7.00 (see the unit test).
    // base: 24 × 0.2016 = 4.8384 → 4.84; accise 0.54; subscription 0.50; 5.88 + VAT 1.176 → 1.18 = 7.06.
    // tempo: 00:00–06:00 is 14 January (blue HC) 6 kWh × 0.1288 = 0.7728 → 0.77;
    //        white HP 16 × 0.1792 = 2.8672 → 2.87; white HC 2 × 0.1447 = 0.2894 → 0.29;
    //        3.93 + VAT 0.786 → 0.79 = 4.72.
    expect(doc.plans.map((p) => [p.name, p.bill.consumptionKwh, p.bill.total])).toEqual([
      ['hphc', '24.000', '7.00'],
      ['base', '24.000', '7.06'],
      ['tempo', '24.000', '4.72'],
    ]);
  }, 60_000);

  it('gives the comparison as CSV, the gap to the cheapest plan included', async () => {
    const r = await run([
      ...simulate,
      tariffsFile,
      '--plan',
      'hphc',
      '--plan',
      'tempo',
      '--building',
      'Les Tilleuls',
      '--from',
      '2026-01-15',
      '--to',
      '2026-01-15',
      '--format',
      'csv',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'plan,kwh,energy,network,taxes,fixed,capacity,injection,excl_vat,vat,total,vs_cheapest,kg_co2e',
    );
    // CO2e: 24 kWh × 32 g = 0.768 kg. Gap: 7.00 − 4.72 = 2.28 = 48.3 % of 4.72.
    expect(lines[1]).toBe(
      'hphc,24.000,4.79,0.00,0.54,0.50,0.00,0.00,5.83,1.17,7.00,+2.28 (+48.3 %),0.768',
    );
    expect(lines[2]).toBe(
      'tempo,24.000,3.93,0.00,0.00,0.00,0.00,0.00,3.93,0.79,4.72,cheapest,0.768',
    );
  }, 60_000);

  it("prices a Belgian building's own contract: capacity peak and injection", async () => {
    const r = await run([
      ...simulate,
      tariffsFile,
      '--building',
      'Maison Molière',
      '--from',
      '2026-09-01',
      '--to',
      '2026-09-30',
    ]);
    expect(r.code).toBe(0);
    // Energy 720.75 × 0.30 = 216.225 → 216.23; capacity 4 kW × 53.76 / 12 = 17.92;
    // injection 8 quarter-hours × 0.5 kWh = 4 kWh × −0.04 = −0.16 (no VAT);
    // subtotal 234.15 − 0.16 = 233.99; VAT 6 % of 234.15 = 14.049 → 14.05; total 248.04.
    expect(r.stdout).toContain('Tariff simulation — Maison Molière (Europe/Brussels)');
    expect(r.stdout).toMatch(/Capacity 2026-09\s+4\.0000 kW·month\s+4\.48\s+17\.92/);
    expect(r.stdout).toMatch(/Injection credit\s+4\.000 kWh\s+-0\.04\s+-0\.16/);
    expect(r.stdout).toMatch(/Total\s+248\.04/);
    expect(r.stdout).toContain('building contract (fluvius)');
    // 16:00 UTC is 18:00 on the building's clock (CEST).
    expect(r.stdout).toContain(
      'capacity 2026-09: peak 4.000 kW at 2026-09-10 18:00, billed 4.000 kW',
    );
    // No plan has network or tax lines: no columns of zeros.
    expect(r.stdout).not.toContain('Network (€)');
  }, 60_000);

  it('reads the months before the period for the rolling 12-month capacity average', async () => {
    const r = await run([
      ...simulate,
      tariffsFile,
      '--building',
      'Maison Molière',
      '--plan',
      'fluvius',
      '--plan',
      'fluvius-rolling',
      '--from',
      '2026-09-01',
      '--to',
      '2026-09-30',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      plans: {
        name: string;
        bill: {
          consumptionKwh: string;
          peaks: { billedKw: string }[];
          lines: { label: string; amount: string }[];
        };
      }[];
    };
    const capacity = (i: number) =>
      doc.plans[i]?.bill.lines.find((l) => l.label === 'Capacity 2026-09')?.amount;
    // Monthly: September's own 4 kW → 17.92. Rolling: (5 + 4) / 2 = 4.5 kW × 53.76 / 12 = 20.16.
    expect([capacity(0), capacity(1)]).toEqual(['17.92', '20.16']);
    expect(doc.plans[1]?.bill.peaks[0]?.billedKw).toBe('4.500');
    // August fed the history only: both price September's 720.75 kWh.
    expect(doc.plans.map((p) => p.bill.consumptionKwh)).toEqual(['720.750', '720.750']);
  }, 60_000);

  it('names an unknown plan and the ones configured (exit 3)', async () => {
    const r = await run([...simulate, tariffsFile, '--plan', 'edf', '--building', 'Les Tilleuls']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.stderr).toContain('error: no tariff plan "edf"');
    expect(r.stderr).toContain('configured plans: base, hphc, tempo, fluvius, fluvius-rolling');
  });
});

describe('tariffs from the config file', () => {
  it("prices the building's contract from the config file's tariffs section", async () => {
    const config = path.join(dir, 'koprogo-iot.config.json');
    fs.writeFileSync(config, JSON.stringify({ tariffs: { $comment: 'plans', ...TARIFFS } }));
    const r = await run([
      '--config',
      config,
      'tariffs',
      'simulate',
      '--building',
      'Maison Molière',
      '--from',
      '2026-09-01',
      '--to',
      '2026-09-30',
      '--format',
      'json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { plans: { name: string; bill: { total: string } }[] };
    // The same contract and September as with --tariffs: 248.04 (see above).
    expect(doc.plans.map((p) => [p.name, p.bill.total])).toEqual([['contract', '248.04']]);
    const list = await run(['--config', config, 'tariffs', 'list']);
    expect(list.stdout).toMatch(/fluvius\s+BE\s+be-single\s+2026-01-01/);
  }, 60_000);

  it('reports a contract naming a missing plan under its key, with every other problem', async () => {
    const config = path.join(dir, 'bad.config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        sync: { overlapDays: -1 },
        tariffs: { plans: {}, buildings: { X: [{ validFrom: '2026-01-01', plan: 'nope' }] } },
      }),
    );
    const r = await run(['--config', config, 'tariffs', 'list']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.stderr).toContain('sync.overlapDays must be an integer from 0 to 60');
    expect(r.stderr).toContain(
      'tariffs.buildings.X[0].plan names "nope", which is not in tariffs.plans',
    );
  });

  it('says how to add plans when the config file has none (exit 3)', async () => {
    const config = path.join(dir, 'empty.config.json');
    fs.writeFileSync(config, JSON.stringify({}));
    const r = await run(['--config', config, 'tariffs', 'list']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.stderr).toContain('has no tariffs.plans');
  });
});

describe('tariffs list', () => {
  it('lists the plans with their kind and version dates', async () => {
    const r = await run(['tariffs', 'list', '--tariffs', tariffsFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hphc\s+FR\s+hp-hc\s+2025-08-01\s+HP\/HC 22:00–06:00/);
    expect(r.stdout).toMatch(/fluvius-rolling\s+BE\s+be-single\s+2026-01-01/);
  });
});

describe('tariffs simulate, spawned', () => {
  it('refuses an impossible date with exit 2 and one line', async () => {
    const r = await runCli(
      ['tariffs', 'simulate', '--tariffs', tariffsFile, '--plan', 'base', '--from', '2026-02-30'],
      {
        env: {
          KOPROGO_IOT_DATA_DIR: dataDir,
          XDG_CONFIG_HOME: path.join(dir, 'xdg'),
          DATABASE_URL: '',
        },
      },
    );
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toBe('error: --from: Invalid date: 2026-02-30 (no such calendar day)\n');
    expect(r.stdout).toBe('');
  }, 60_000);
});
