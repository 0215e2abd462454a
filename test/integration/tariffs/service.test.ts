/**
 * priceConsumption over stored readings on each engine (the embedded database, and the
 * PostgreSQL server when TEST_DATABASE_URL is set): consumption and production of every
 * meter, an exclusive-night meter told apart by its reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { upsertReadings } from '../../../src/db/readings.js';
import type { Reading } from '../../../src/domain/readings.js';
import { priceConsumption } from '../../../src/services/priceConsumption.js';
import { parseTariffPlans } from '../../../src/tariffs/config.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

const tariffs = parseTariffPlans({
  plans: {
    be: {
      country: 'BE',
      kind: 'be-single',
      versions: [
        {
          validFrom: '2026-01-01',
          energy: { single: '0.30' },
          exclusiveNight: { deviceRefs: ['EXCL'], energy: '0.20' },
          injection: { perKwh: '0.05' },
          vatPercent: '6',
        },
      ],
    },
  },
  buildings: { Molière: [{ validFrom: '2026-01-01', plan: 'be' }] },
});

function quarterHours(
  buildingId: string,
  deviceRef: string,
  metricType: Reading['metricType'],
  kwh: number,
  count: number,
): Reading[] {
  // From 2026-03-02 00:00 Brussels (23:00 UTC the day before).
  const start = Date.parse('2026-03-01T23:00:00Z');
  return Array.from({ length: count }, (_, i) => ({
    buildingId,
    deviceRef,
    deviceType: 'electricity_meter',
    metricType,
    timestamp: new Date(start + i * 900_000),
    intervalSeconds: 900,
    value: kwh,
    unit: 'kWh',
    source: 'test',
  }));
}

describe.each(ENGINES)('priceConsumption on %s', (engine) => {
  let t: TestDatabase;
  let building: { id: string; name: string; timezone: string };

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    building = await addBuilding(t.db, 'Molière', 'Europe/Brussels');
    await upsertReadings(t.db, [
      ...quarterHours(building.id, 'MAIN', 'electricity_consumption', 0.25, 96),
      ...quarterHours(building.id, 'EXCL', 'electricity_consumption', 0.5, 28),
      ...quarterHours(building.id, 'MAIN', 'electricity_production', 0.1, 40),
    ]);
  }, 60_000);
  afterAll(async () => t?.close());

  it("prices the building's day from what is stored", async () => {
    const res = await priceConsumption(t.db, {
      building,
      loaded: { tariffs, baseDir: '.' },
      planNames: [],
      from: new Date('2026-03-01T23:00:00Z'),
      to: new Date('2026-03-02T23:00:00Z'),
    });
    const bill = res.plans[0]?.bill;
    // Main 96 × 0.25 = 24 kWh × 0.30 = 7.20; exclusive night 28 × 0.5 = 14 kWh × 0.20 = 2.80;
    // injection 40 × 0.1 = 4 kWh × −0.05 = −0.20; VAT 6 % of 10.00 = 0.60; total 10.40.
    expect(bill?.lines.map((l) => [l.label, l.amount])).toEqual([
      ['Energy single rate', '7.20'],
      ['Energy exclusive night', '2.80'],
      ['Injection credit', '-0.20'],
    ]);
    expect(bill?.total).toBe('10.40');
    expect(bill?.readings).toBe(164);
  });
});
