/**
 * stats over months the load curve does not reach: the meter's daily totals (kept beside
 * the curve) count for the missing days, and the result names those days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { addBuilding, type Building } from '../../../src/db/buildings.js';
import { upsertReadings } from '../../../src/db/readings.js';
import type { Reading } from '../../../src/domain/readings.js';
import { localDayStart } from '../../../src/domain/localDays.js';
import { computeStats } from '../../../src/services/stats.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

const ZONE = 'Europe/Paris';
const PRM = '12345678901234';
const config = resolveConfig({}, {}, {}, null);

function reading(
  b: Building,
  metric: Reading['metricType'],
  at: Date,
  seconds: number,
  kwh: number,
): Reading {
  return {
    buildingId: b.id,
    deviceRef: PRM,
    deviceType: 'electricity_meter',
    metricType: metric,
    timestamp: at,
    intervalSeconds: seconds,
    value: kwh,
    unit: 'kWh',
    source: 'linky_enedis',
  };
}

describe.each(ENGINES)('stats with daily totals beside the curve (%s database)', (engine) => {
  let t: TestDatabase;
  let b: Building;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
    b = await addBuilding(t.db, 'Résidence du Parc', ZONE);
    const rows: Reading[] = [];
    // Daily totals for every day of June 2026: 10 kWh a day.
    for (let d = 1; d <= 30; d++) {
      const day = `2026-06-${String(d).padStart(2, '0')}`;
      rows.push(reading(b, 'electricity_consumption_daily', localDayStart(day, ZONE), 86_400, 10));
    }
    // The curve only from 16 June: 48 half-hours of 0.25 kWh (12 kWh a day).
    for (let d = 16; d <= 30; d++) {
      const start = localDayStart(`2026-06-${String(d)}`, ZONE).getTime();
      for (let i = 0; i < 48; i++)
        rows.push(
          reading(b, 'electricity_consumption', new Date(start + i * 1_800_000), 1800, 0.25),
        );
    }
    await upsertReadings(t.db, rows);
  });
  afterAll(() => t?.close());

  it('counts the daily totals where the curve is missing and says which days', async () => {
    const s = await computeStats(
      { db: t.db, config, now: () => new Date('2026-07-10T12:00:00Z') },
      {
        building: b.id,
        period: 'month',
        metricType: 'electricity_consumption',
        dates: () => ({
          from: new Date('2026-05-31T22:00:00Z'),
          to: new Date('2026-06-30T22:00:00Z'),
        }),
      },
    );
    const june = s.data_points.find((p) => p.period.startsWith('2026-06'));
    // 15 days of daily totals (150 kWh) and 15 days of curve (180 kWh).
    expect(june?.total).toBeCloseTo(330, 6);
    expect(june?.coverage).toBeCloseTo(1, 6);
    expect(s.days_from_daily_totals.length).toBe(15);
    expect(s.days_from_daily_totals[0]).toBe('2026-06-01');
    expect(s.days_from_daily_totals[14]).toBe('2026-06-15');
  });
});
