import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStatistics } from '../../../src/analytics/stats.js';
import { parseFrom, parseTo } from '../../../src/commands/dateRange.js';
import type { Database } from '../../../src/db/types.js';
import { parsePeriod } from '../../../src/services/periodRange.js';
import { statsOfBuilding } from '../../../src/services/stats.js';
import { renderStatsTable } from '../../../src/ui/statsView.js';
import { addBuilding, type Building } from '../../../src/db/buildings.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { dailyAggregates, dailySource, sameDaysAsAggregate } from '../../../src/db/stats.js';
import { detectTimescale } from '../../../src/db/timescale.js';
import type { Reading } from '../../../src/domain/readings.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ZONE, change, expectedOver, meterReadings, plainMeter } from './fixtures.js';

/** The statistics service as `stats --period P --from D --to D` calls it. */
function statsFor(
  db: Database,
  building: Building,
  opts: { period: string; from?: string; to?: string },
  now: Date,
) {
  return statsOfBuilding({ db, now: () => now }, building, {
    period: parsePeriod(opts.period),
    metricType: 'electricity_consumption',
    dates: (zone) => ({
      from: opts.from ? parseFrom(opts.from, zone) : undefined,
      to: opts.to ? parseTo(opts.to, zone) : undefined,
    }),
  });
}

const meter = plainMeter();
// Local 2024-09-01 00:00 to local 2025-11-16 00:00 (Brussels), without local 2025-06-10.
const FIRST = '2024-08-31T22:00:00Z';
const LAST = '2025-11-15T23:00:00Z';
const GAP_FROM = Date.parse('2025-06-09T22:00:00Z');
const GAP_TO = Date.parse('2025-06-10T22:00:00Z');
const skip = (ms: number) => ms >= GAP_FROM && ms < GAP_TO;
const NOW = new Date('2025-11-16T10:00:00Z');

// Brussels months in UTC, written out here so the test does not lean on the code's calendar.
const MONTH = {
  '2024-10': ['2024-09-30T22:00:00Z', '2024-10-31T23:00:00Z'],
  '2025-06': ['2025-05-31T22:00:00Z', '2025-06-30T22:00:00Z'],
  '2025-09': ['2025-08-31T22:00:00Z', '2025-09-30T22:00:00Z'],
  '2025-10': ['2025-09-30T22:00:00Z', '2025-10-31T23:00:00Z'],
  '2025-11': ['2025-10-31T23:00:00Z', LAST],
} as const;
const model = (m: keyof typeof MONTH) => expectedOver(meter, MONTH[m][0], MONTH[m][1], skip);

describe.each(ENGINES)('statistics from stored readings (%s database)', (engine) => {
  let t: TestDatabase;
  let b: Building;
  let stepBuilding: Building;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    b = await addBuilding(t.db, 'Résidence Les Tilleuls', ZONE);
    await upsertReadings(t.db, meterReadings(meter, b.id, FIRST, LAST, skip));
    // A meter moving from 30- to 15-minute steps at local noon on 12 March 2025.
    stepBuilding = await addBuilding(t.db, 'Step', ZONE);
    const step: Reading[] = [];
    const dayStart = Date.parse('2025-03-11T23:00:00Z');
    for (let i = 0; i < 24; i++) step.push(stepReading(dayStart + i * 1_800_000, 1800));
    for (let i = 0; i < 48; i++) step.push(stepReading(dayStart + 43_200_000 + i * 900_000, 900));
    await upsertReadings(t.db, step);
    // Materialise part of the aggregate, so its stored and real-time halves both serve.
    if ((await detectTimescale(t.db)).installed) {
      await t.db.query(
        `CALL refresh_continuous_aggregate('iot_readings_daily', '2024-09-01', '2025-07-01')`,
      );
    }

    function stepReading(ms: number, seconds: number): Reading {
      return {
        buildingId: stepBuilding.id,
        deviceRef: '25000000000099',
        deviceType: 'electricity_meter',
        metricType: 'electricity_consumption',
        timestamp: new Date(ms),
        intervalSeconds: seconds,
        value: seconds === 1800 ? 0.25 : 0.125,
        unit: 'kWh',
        source: 'test',
      };
    }
  }, 120_000);
  afterAll(async () => t?.close());

  it('October 2025, a DST month, holds 1490 half-hours and the model total', async () => {
    const res = await statsFor(
      t.db,
      b,
      { period: 'month', from: '2025-10-01', to: '2025-10-31' },
      NOW,
    );
    const oct = model('2025-10');
    expect(oct.count).toBe(1490);
    const p = res.data_points[0];
    expect(res.data_points).toHaveLength(1);
    expect(p?.period).toBe('2025-10');
    expect(p?.count).toBe(1490);
    expect(p?.expected_count).toBe(1490);
    expect(p?.coverage).toBe(1);
    expect(p?.total).toBeCloseTo(oct.total, 6);
    expect(p?.min).toBeCloseTo(oct.min, 6);
    expect(p?.max).toBeCloseTo(oct.max, 6);
    expect(p?.avg).toBeCloseTo(oct.total / 1490, 6);
    expect(res.statistics.total).toBeCloseTo(oct.total, 6);
    expect(res.unit).toBe('kWh');
    expect(res.date_range).toEqual({
      start: '2025-09-30T22:00:00.000Z',
      end: '2025-10-31T23:00:00.000Z',
    });
  });

  it('compares with the previous month and the same month a year before', async () => {
    const res = await statsFor(
      t.db,
      b,
      { period: 'month', from: '2025-10-01', to: '2025-10-31' },
      NOW,
    );
    expect(res.comparison.previous_period).toBe(
      change(model('2025-10').total / model('2025-09').total),
    );
    expect(res.comparison.previous_year).toBe(
      change(model('2025-10').total / model('2024-10').total),
    );
  });

  it('has no comparison where there is nothing to compare with', async () => {
    const res = await statsFor(
      t.db,
      b,
      { period: 'month', from: '2024-09-01', to: '2024-09-30' },
      NOW,
    );
    expect(res.data_points[0]?.count).toBe(1440);
    expect(res.comparison).toEqual({ previous_period: null, previous_year: null });
  });

  it('counts local days of 46, 48 and 50 half-hours', async () => {
    const oct = await statsFor(
      t.db,
      b,
      { period: 'day', from: '2025-10-25', to: '2025-10-27' },
      NOW,
    );
    expect(oct.data_points.map((p) => [p.period, p.count, p.coverage])).toEqual([
      ['2025-10-25', 48, 1],
      ['2025-10-26', 50, 1],
      ['2025-10-27', 48, 1],
    ]);
    const mar = await statsFor(
      t.db,
      b,
      { period: 'day', from: '2025-03-30', to: '2025-03-30' },
      NOW,
    );
    expect(mar.data_points[0]?.count).toBe(46);
    expect(mar.data_points[0]?.total).toBeCloseTo(
      expectedOver(meter, '2025-03-29T23:00:00Z', '2025-03-30T22:00:00Z').total,
      6,
    );
  });

  it('shows partial periods: a missing day and the month in progress', async () => {
    const res = await statsFor(t.db, b, { period: 'month' }, NOW);
    expect(res.data_points.map((p) => p.period)).toEqual([
      '2024-12',
      '2025-01',
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
    ]);
    const june = res.data_points.find((p) => p.period === '2025-06');
    expect(june?.coverage).toBeCloseTo(29 / 30, 6);
    expect(june?.count).toBe(1392);
    expect(june?.total).toBeCloseTo(model('2025-06').total, 6);
    const nov = res.data_points[11];
    expect(nov?.coverage).toBe(0.5);
    expect(nov?.total).toBeCloseTo(model('2025-11').total, 6);
    // Normalised by coverage: November's pace against October's whole month.
    expect(nov?.comparison.previous_period).toBe(
      change(model('2025-11').total / 0.5 / model('2025-10').total),
    );
    const table = renderStatsTable(res, { color: false, width: 120 });
    expect(table).toMatch(/2025-06 \*\s+\d+\.\d{3}.*96\.6%/);
    expect(table).toMatch(/2025-11 \*.*50\.0%/);
    expect(table).toMatch(/^2025-10 .*100\.0%/m);
    expect(table).toContain('* partial period');
    expect(table).toMatch(/Total \(kWh\)/);
  });

  it('the daily aggregate and the raw readings give identical results', async () => {
    const q = { buildingId: b.id, zone: ZONE, metricType: 'electricity_consumption' };
    const range = { fromDay: '2024-09-01', toDay: '2025-11-16' };
    const viaAggregate = await dailyAggregates(t.db, { ...q, ...range, source: 'aggregate' });
    const viaReadings = await dailyAggregates(t.db, { ...q, ...range, source: 'readings' });
    expect(viaAggregate).toHaveLength(440);
    expect(viaAggregate).toEqual(viaReadings);
    const opts = {
      period: 'week' as const,
      zone: ZONE,
      from: '2024-09-02',
      to: '2025-11-10',
      metricType: 'electricity_consumption',
      unit: 'kWh',
    };
    expect(computeStatistics(viaAggregate, opts)).toEqual(computeStatistics(viaReadings, opts));
    const ts = await detectTimescale(t.db);
    expect(await dailySource(t.db, ZONE)).toBe(ts.installed ? 'aggregate' : 'readings');
    expect(await dailySource(t.db, 'Europe/Paris')).toBe('readings');
    // Paris keeps Brussels' calendar: over a known range it may use the aggregate too, and
    // the days are the same either way; Tokyo's days are not.
    expect(await dailySource(t.db, 'Europe/Paris', range)).toBe(
      ts.installed ? 'aggregate' : 'readings',
    );
    expect(await dailySource(t.db, 'Asia/Tokyo', range)).toBe('readings');
    const paris = { ...q, zone: 'Europe/Paris' };
    expect(await dailyAggregates(t.db, { ...paris, ...range, source: 'aggregate' })).toEqual(
      await dailyAggregates(t.db, { ...paris, ...range, source: 'readings' }),
    );
    expect(sameDaysAsAggregate('Europe/London', '2025-01-01', '2025-01-05')).toBe(false);
  });

  it('a value re-synced after the aggregate was materialised counts at once', async () => {
    const q = {
      buildingId: b.id,
      zone: ZONE,
      metricType: 'electricity_consumption',
      fromDay: '2025-03-15',
      toDay: '2025-03-16',
    };
    const before = await dailyAggregates(t.db, { ...q, source: 'aggregate' });
    const original = meterReadings(meter, b.id, '2025-03-15T10:00:00Z', '2025-03-15T10:30:00Z');
    const changed = original.map((r) => ({ ...r, value: r.value + 5 }));
    await upsertReadings(t.db, changed);
    try {
      const after = await dailyAggregates(t.db, { ...q, source: 'aggregate' });
      expect(after[0]?.total).toBeCloseTo((before[0]?.total ?? 0) + 5, 6);
      expect(after).toEqual(await dailyAggregates(t.db, { ...q, source: 'readings' }));
    } finally {
      await upsertReadings(t.db, original);
    }
  });

  it('a day whose step changes is fully covered, on both paths', async () => {
    for (const source of ['aggregate', 'readings'] as const) {
      const days = await dailyAggregates(t.db, {
        buildingId: stepBuilding.id,
        zone: ZONE,
        metricType: 'electricity_consumption',
        fromDay: '2025-03-12',
        toDay: '2025-03-13',
        source,
      });
      expect(days).toEqual([
        expect.objectContaining({
          day: '2025-03-12',
          count: 72,
          total: 12,
          coveredSeconds: 86_400,
        }),
      ]);
    }
    const res = await statsFor(
      t.db,
      stepBuilding,
      { period: 'day', from: '2025-03-12', to: '2025-03-12' },
      NOW,
    );
    expect(res.data_points[0]?.coverage).toBe(1);
  });

  it('local days follow the building zone when it is not the aggregate zone', async () => {
    const london = await addBuilding(t.db, 'London', 'Europe/London');
    // Midnight to midnight in London is 00:00Z to 00:00Z in winter.
    await upsertReadings(
      t.db,
      meterReadings(meter, london.id, '2025-01-14T23:00:00Z', '2025-01-16T00:00:00Z'),
    );
    const days = await dailyAggregates(t.db, {
      buildingId: london.id,
      zone: 'Europe/London',
      metricType: 'electricity_consumption',
      fromDay: '2025-01-14',
      toDay: '2025-01-17',
    });
    expect(days.map((d) => [d.day, d.count])).toEqual([
      ['2025-01-14', 2],
      ['2025-01-15', 48],
    ]);
  });
});
