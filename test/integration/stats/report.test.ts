import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastCompleteMonth } from '../../../src/analytics/monthComparison.js';
import { buildReport, type ReportQuery } from '../../../src/services/report.js';
import { renderReport, reportJson } from '../../../src/ui/reportView.js';
import { resolveConfig } from '../../../src/config.js';
import { storeAnomalies } from '../../../src/db/anomalies.js';
import { addBuilding, type Building } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ZONE, change, expectedOver, meterReadings, plainMeter } from './fixtures.js';

const meter = plainMeter();
const NOW = new Date('2025-11-05T09:00:00Z');
const OCT = ['2025-09-30T22:00:00Z', '2025-10-31T23:00:00Z'] as const;
const SEP = ['2025-08-31T22:00:00Z', '2025-09-30T22:00:00Z'] as const;
const config = resolveConfig({}, {}, {}, null);
const OCT_2024 = ['2024-09-30T22:00:00Z', '2024-10-31T23:00:00Z'] as const;

describe.each(ENGINES)('monthly report (%s database)', (engine) => {
  let t: TestDatabase;
  let b: Building;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    b = await addBuilding(t.db, 'Résidence Les Tilleuls', ZONE);
    await upsertReadings(t.db, meterReadings(meter, b.id, OCT_2024[0], NOW.toISOString()));
    await insertDevice(t.db, {
      id: randomUUID(),
      buildingId: b.id,
      prm: meter.prm,
      provider: 'enedis',
      consentExpiresAt: new Date('2026-09-30T00:00:00Z'),
    });
    const spike = {
      buildingId: b.id,
      deviceRef: meter.prm,
      metricType: 'electricity_consumption',
      kind: 'spike',
      method: 'profile',
      value: 1.5,
      baseline: 0.5,
      variancePercent: 200,
      severity: 'major' as const,
      message: 'Consommation 200% supérieure au profil habituel',
    };
    await storeAnomalies(t.db, [
      { ...spike, start: new Date('2025-10-14T17:00:00Z'), end: new Date('2025-10-14T19:00:00Z') },
      // September's: not in October's report.
      { ...spike, start: new Date('2025-09-14T17:00:00Z'), end: new Date('2025-09-14T19:00:00Z') },
    ]);
  }, 120_000);
  afterAll(async () => t?.close());
  const report = (q: Partial<ReportQuery>) =>
    buildReport(
      { db: t.db, config, now: () => NOW },
      { building: b.id, metricType: 'electricity_consumption', ...q },
    );

  it('defaults to the last complete month of the building', () => {
    expect(lastCompleteMonth(NOW, ZONE)).toBe('2025-10');
    // 1 January 00:30 in Brussels is still 31 December in UTC.
    expect(lastCompleteMonth(new Date('2025-12-31T23:30:00Z'), ZONE)).toBe('2025-12');
  });

  it("shows October's total, daily average, comparisons, days, anomalies and meter", async () => {
    const r = await report({});
    const oct = expectedOver(meter, ...OCT);
    const sep = expectedOver(meter, ...SEP);
    const lastYear = expectedOver(meter, ...OCT_2024);
    expect(r.month).toBe('2025-10');
    expect(r.summary.total).toBeCloseTo(oct.total, 6);
    expect(r.summary.count).toBe(1490);
    expect(r.summary.coverage).toBe(1);
    expect(r.summary.daily_average).toBeCloseTo(oct.total / 31, 5);
    expect(r.summary.comparison).toEqual({
      previous_period: change(oct.total / sep.total),
      previous_year: change(oct.total / lastYear.total),
    });
    // Per day, September's 30 days against October's 31.
    expect(r.summary.daily_average_comparison.previous_period).toBe(
      change(oct.total / 31 / (sep.total / 30)),
    );
    expect(r.daily).toHaveLength(31);
    expect(r.daily.find((d) => d.day === '2025-10-26')?.total).toBeCloseTo(
      expectedOver(meter, '2025-10-25T22:00:00Z', '2025-10-26T23:00:00Z').total,
      6,
    );
    expect(reportJson(r).anomalies.map((a) => a.timestamp)).toEqual(['2025-10-14T17:00:00.000Z']);
    expect(r.meters).toEqual([
      expect.objectContaining({
        prm: meter.prm,
        provider: 'enedis',
        status: 'active',
        consent_expires_at: '2026-09-30T00:00:00.000Z',
        last_sync_at: null,
      }),
    ]);

    const text = renderReport(r, { color: false, width: 100 });
    expect(text).toContain('Résidence Les Tilleuls — October 2025 (Europe/Brussels)');
    expect(text).toMatch(/Total\s+\d+\.\d{3}\s+[+-]\d+\.\d%\s+[+-]\d+\.\d%/);
    expect(text).toContain('Coverage 100.0% (1490 of 1490 intervals)');
    expect(text).toContain('Open anomalies (1)');
    expect(text).toContain('2025-10-14 19:00–21:00');
    expect(text).toMatch(/25000000000042\s+enedis\s+active\s+2026-09-30 02:00/);
  });

  it('marks a month in progress as partial', async () => {
    const r = await report({ month: '2025-11' });
    expect(r.summary.coverage).toBeCloseTo(4 / 30 + 10 / 24 / 30, 6);
    expect(renderReport(r, { color: false, width: 100 })).toContain('partial month');
  });
});
