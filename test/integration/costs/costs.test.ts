/**
 * Euros, peaks and carbon beside the kWh, on stored readings (the embedded database, and
 * the PostgreSQL server when TEST_DATABASE_URL is set). Every amount is worked out by hand
 * from the fixtures (see fixtures.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding, type Building } from '../../../src/db/buildings.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { reportOfBuilding } from '../../../src/services/report.js';
import { statsOfBuilding } from '../../../src/services/stats.js';
import { compareBuildings } from '../../../src/services/statsCompare.js';
import { peakStats } from '../../../src/services/statsPeaks.js';
import { toCsv } from '../../../src/ui/csv.js';
import { renderReport } from '../../../src/ui/reportView.js';
import { renderPeaks } from '../../../src/ui/statsCompareView.js';
import { renderStatsCosts } from '../../../src/ui/statsCostView.js';
import { renderStatsTable, statsCsvKeys, statsCsvRows } from '../../../src/ui/statsView.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { CONFIG, series } from './fixtures.js';

const NOW = new Date('2026-10-10T10:00:00Z');
const view = { color: false, width: 160 };

describe.each(ENGINES)('costs on %s', (engine) => {
  let t: TestDatabase;
  let paris: Building;
  let brussels: Building;
  let moliere: Building;
  const deps = () => ({ db: t.db, now: () => NOW, config: CONFIG });

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    paris = await addBuilding(t.db, 'Les Tilleuls', 'Europe/Paris');
    brussels = await addBuilding(t.db, 'Résidence Bruxelles P1', 'Europe/Brussels');
    moliere = await addBuilding(t.db, 'Maison Molière', 'Europe/Brussels');
    await upsertReadings(
      t.db,
      series(paris.id, paris.timezone, '2026-01-01', '2026-03-01', 1800, () => 0.5),
    );
    const spike = (d: { day: number; month: number; hour: number; minute: number }) =>
      d.month === 9 && d.day === 10 && d.hour === 18 && d.minute === 0 ? 1 : 0.25;
    await upsertReadings(
      t.db,
      series(brussels.id, brussels.timezone, '2026-08-01', '2026-10-01', 900, spike),
    );
    await upsertReadings(
      t.db,
      series(moliere.id, moliere.timezone, '2024-10-01', '2026-10-01', 86_400, (d) =>
        d < d.set({ year: 2025, month: 10, day: 1 }) ? 100 : 120,
      ),
    );
  }, 120_000);
  afterAll(async () => t?.close());

  it('prices each month of stats by band, compares in € and %, and gives kg CO2e', async () => {
    const res = await statsOfBuilding(deps(), paris, {
      period: 'month',
      metricType: 'electricity_consumption',
      dates: () => ({
        from: new Date('2026-01-01T00:00:00+01:00'),
        to: new Date('2026-03-01T00:00:00+01:00'),
      }),
    });
    // January: 1488 half-hours × 0.5 = 744 kWh; off-peak 16 a day × 31 = 248 kWh × 0.15 =
    // 37.20; peak 496 kWh × 0.20 = 99.20; subscription 12.00: 148.40 + VAT 29.68 = 178.08.
    // February: 224 kWh HC = 33.60, 448 HP = 89.60, 12.00: 135.20 + VAT 27.04 = 162.24.
    expect(res.costs?.plans).toEqual(['hphc']);
    expect(res.costs?.periods.map((p) => [p.period, p.excl_vat_eur, p.vat_eur, p.eur])).toEqual([
      ['2026-01', 148.4, 29.68, 178.08],
      ['2026-02', 135.2, 27.04, 162.24],
    ]);
    expect(res.costs?.periods[0]?.bands).toEqual([
      { band: 'hp', label: 'peak (HP)', kwh: 496, eur: 99.2 },
      { band: 'hc', label: 'off-peak (HC)', kwh: 248, eur: 37.2 },
    ]);
    // February against January: 162.24 − 178.08 = −15.84 €, 162.24 / 178.08 − 1 = −8.9 %.
    // January against December: no contract yet, nothing to compare.
    expect(res.costs?.periods.map((p) => p.comparison)).toEqual([
      { previous_period: null, previous_year: null },
      { previous_period: { eur: -15.84, percent: -8.9 }, previous_year: null },
    ]);
    expect(res.costs?.total_eur).toBe(340.32);
    // 744 kWh × 32 g (RTE 2023, the French default) = 23.808 kg; 672 kWh → 21.504 kg.
    expect(res.carbon?.periods).toEqual([
      { period: '2026-01', kg_co2e: 23.808 },
      { period: '2026-02', kg_co2e: 21.504 },
    ]);

    const csv = toCsv(
      statsCsvKeys(res).map((k) => ({ key: k, header: k })),
      statsCsvRows(res),
    ).split('\n');
    const header = (csv[0] as string).split(',');
    const feb = (csv[2] as string).split(',');
    const cell = (k: string) => feb[header.indexOf(k)];
    expect([cell('cost_eur'), cell('hp_eur'), cell('hc_kwh'), cell('kg_co2e')]).toEqual([
      '162.24',
      '89.6',
      '224',
      '21.504',
    ]);
    expect([cell('cost_vs_previous_period_eur'), cell('cost_vs_previous_period_percent')]).toEqual([
      '-15.84',
      '-8.9',
    ]);
    const table = renderStatsCosts(res, view);
    expect(table).toMatch(
      /2026-02\s+448\.000\s+89\.60\s+224\.000\s+33\.60\s+162\.24\s+-15\.84 € \(-8\.9%\)/,
    );
    expect(renderStatsTable(res, view)).not.toContain('no tariff for this building');
  }, 60_000);

  it('bills the part of a period in the range and compares it projected to the whole', async () => {
    const res = await statsOfBuilding(deps(), paris, {
      period: 'month',
      metricType: 'electricity_consumption',
      dates: () => ({
        from: new Date('2026-02-15T00:00:00+01:00'),
        to: new Date('2026-03-01T00:00:00+01:00'),
      }),
    });
    // 15–28 February: 14 × 8 = 112 kWh HC × 0.15 = 16.80, 224 kWh HP × 0.20 = 44.80, half
    // the month's subscription 6.00: 67.60 + VAT 13.52 = 81.12. Half the month covered:
    // projected 162.24 against January's whole 178.08, the same −15.84 € and −8.9 %.
    expect(res.costs?.periods).toEqual([
      {
        period: '2026-02',
        eur: 81.12,
        excl_vat_eur: 67.6,
        vat_eur: 13.52,
        bands: [
          { band: 'hp', label: 'peak (HP)', kwh: 224, eur: 44.8 },
          { band: 'hc', label: 'off-peak (HC)', kwh: 112, eur: 16.8 },
        ],
        comparison: { previous_period: { eur: -15.84, percent: -8.9 }, previous_year: null },
      },
    ]);
  }, 60_000);

  it('shows kWh and carbon only, and a one-line hint in the table, without a tariff', async () => {
    const res = await statsOfBuilding(deps(), moliere, {
      period: 'month',
      metricType: 'electricity_consumption',
      dates: () => ({
        from: new Date('2026-08-01T00:00:00+02:00'),
        to: new Date('2026-10-01T00:00:00+02:00'),
      }),
    });
    expect(res.costs).toBeNull();
    // 31 × 120 kWh × 167.49 g (AIB residual mix 2023, the Belgian default) = 623.0628 kg.
    expect(res.carbon?.periods[0]).toEqual({ period: '2026-08', kg_co2e: 623.063 });
    const header = statsCsvKeys(res);
    expect(header).not.toContain('cost_eur');
    expect(header).toContain('kg_co2e');
    const table = renderStatsTable(res, view);
    expect(table.split('\n').filter((l) => l.includes('no tariff for this building'))).toHaveLength(
      1,
    );
    expect(table).not.toContain('(€)');
    expect(renderStatsCosts(res, view)).toMatch(/^2026-08\s+623\.063$/m);
  }, 60_000);

  it("bills the report's month by line with the peak that set the capacity charge", async () => {
    const r = await reportOfBuilding(deps(), brussels, {
      month: '2026-09',
      metricType: 'electricity_consumption',
    });
    // September 2026: 22 weekdays × 60 day quarter-hours × 0.25 + 0.75 = 330.75 kWh day,
    // 390 kWh night. 330.75 × 0.10 = 33.075 → 33.08; 390 × 0.08 = 31.20; capacity 4 kW ×
    // 60 / 12 = 20.00; 84.28 + VAT 6 % 5.0568 → 5.06 = 89.34.
    expect(r.bill?.lines.map((l) => [l.label, l.quantity, l.amount_eur])).toEqual([
      ['Energy day', 330.75, 33.08],
      ['Energy night', 390, 31.2],
      ['Capacity 2026-09', 4, 20],
    ]);
    expect([r.bill?.excl_vat_eur, r.bill?.vat_eur, r.bill?.total_eur]).toEqual([
      84.28, 5.06, 89.34,
    ]);
    // 18:00 in Brussels (CEST) is 16:00 UTC.
    expect(r.peak).toEqual({
      kw: 4,
      at: '2026-09-10T16:00:00.000Z',
      source: 'quarter-hour',
      billed_kw: 4,
      mode: 'monthly-peak',
      capacity_eur: 20,
    });
    // 720.75 kWh × 167.49 g = 120.718 kg.
    expect(r.carbon?.kg_co2e).toBe(120.718);
    const text = renderReport(r, view);
    expect(text).toMatch(/Capacity 2026-09\s+4\.0000 kW·month\s+5\.0000\s+20\.00/);
    expect(text).toMatch(/Total\s+89\.34/);
    expect(text).toContain(
      'Peak 4.000 kW on 2026-09-10 18:00, from quarter-hour readings; capacity charge 20.00 € on 4.000 kW',
    );
  }, 60_000);

  it("estimates a French month's bill and says its half-hour peak is estimated", async () => {
    const r = await reportOfBuilding(deps(), paris, {
      month: '2026-01',
      metricType: 'electricity_consumption',
    });
    expect(r.bill?.total_eur).toBe(178.08);
    expect(r.peak).toMatchObject({ kw: 1, source: 'estimated', capacity_eur: null });
    expect(renderReport(r, view)).toContain('; no capacity tariff');
  }, 60_000);

  it('gives each month its peak and capacity charge, the 2.5 kW minimum included', async () => {
    const dates = () => ({
      from: new Date('2026-08-01T00:00:00+02:00'),
      to: new Date('2026-10-01T00:00:00+02:00'),
    });
    const res = await peakStats(deps(), { building: brussels.id, dates });
    // August: 1 kW, billed at the 2.5 kW minimum: 2.5 × 5.00 = 12.50. September: 4 kW → 20.00.
    expect(res.months.map((m) => [m.month, m.kw, m.source, m.billed_kw, m.capacity_eur])).toEqual([
      ['2026-08', 1, 'quarter-hour', 2.5, 12.5],
      ['2026-09', 4, 'quarter-hour', 4, 20],
    ]);
    expect(renderPeaks(res, view)).toMatch(
      /2026-09\s+4\.000\s+2026-09-10 18:00\s+quarter-hour\s+4\.000\s+20\.00/,
    );

    // The P1 meter's own register, once the listener's table holds it, wins over readings.
    await t.db.exec(`CREATE TABLE IF NOT EXISTS meter_peaks (
      building_id UUID, device_ref TEXT, month DATE, peak_at TIMESTAMPTZ,
      kw DOUBLE PRECISION, source TEXT, PRIMARY KEY (building_id, device_ref, month))`);
    await t.db.query(
      `INSERT INTO meter_peaks VALUES ($1, 'M1', '2026-09-01', '2026-09-22T05:15:00Z', 4.6, 'p1')`,
      [brussels.id],
    );
    const withP1 = await peakStats(deps(), { building: brussels.id, dates });
    // 4.6 kW × 5.00 = 23.00.
    expect(withP1.months[1]).toEqual({
      month: '2026-09',
      kw: 4.6,
      at: '2026-09-22T05:15:00.000Z',
      source: 'p1',
      billed_kw: 4.6,
      mode: 'monthly-peak',
      capacity_eur: 23,
    });
    await t.db.exec('DROP TABLE meter_peaks');
  }, 60_000);

  it('ranks buildings by kWh/m²/year and € per unit and flags a drift', async () => {
    const res = await compareBuildings(deps(), new Date('2026-10-01T00:00:00+02:00'));
    const rows = res.buildings.map((b) => [
      b.rank,
      b.building.name,
      b.kwh_per_m2_year,
      b.eur_per_unit,
      b.drift_percent,
      b.drifting,
    ]);
    // Les Tilleuls: 1 kW all year round would be 8760 kWh; ÷ 2400 m² = 3.65. Its bill from
    // the contract's start (2026-01-01) to October: 259.60 of energy + 9 × 12.00 = 367.60 +
    // VAT 73.52 = 441.12, ÷ 30 units = 14.70. Only January and February are read: too little
    // coverage to speak of drift.
    // Maison Molière: 365 × 120 = 43,800 kWh ÷ 1000 m² = 43.8, the year before 36.5: +20 %.
    // Résidence Bruxelles P1: no surface, unranked.
    expect(rows).toEqual([
      [1, 'Les Tilleuls', 3.65, 14.7, null, false],
      [2, 'Maison Molière', 43.8, null, 20, true],
      [null, 'Résidence Bruxelles P1', null, null, null, false],
    ]);
    expect(res.buildings[0]?.coverage).toBe(0.162);
    expect(res.months).toEqual({ first: '2025-10', last: '2026-09' });
  }, 60_000);
});
