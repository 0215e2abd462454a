import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseThreshold } from '../../../src/commands/anomalies.js';
import { findAnomalies, type AnomalyQuery } from '../../../src/services/anomalies.js';
import { resolveConfig } from '../../../src/config.js';
import { acknowledgeAnomaly } from '../../../src/db/anomalies.js';
import { addBuilding, type Building } from '../../../src/db/buildings.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { EXIT, UsageError } from '../../../src/domain/errors.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ZONE, meterReadings, plainMeter } from './fixtures.js';

// A heater stuck on (2.5 kW more) on 20 October 2025, 10:00–14:00 Brussels.
const HEATER = { start: '2025-10-20T08:00:00Z', end: '2025-10-20T12:00:00Z' };
const meter = plainMeter({
  anomalies: [{ kind: 'stuck_heater', ...HEATER, factor: 1, addedW: 2500 }],
});
const NOW = new Date('2025-11-01T00:00:00Z');
const config = resolveConfig({}, {}, {}, null);

/** `anomalies --days 30` (and its other flags) on the building, at NOW. */
const detect = (t: TestDatabase, b: Building, q: Partial<AnomalyQuery> = {}) =>
  findAnomalies(
    { db: t.db, config, now: () => NOW },
    { building: b.id, metricType: 'electricity_consumption', days: 30, store: true, ...q },
  );

const countStored = async (t: TestDatabase) =>
  Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM anomalies')).rows[0]?.n);

describe.each(ENGINES)('anomalies command (%s database)', (engine) => {
  let t: TestDatabase;
  let b: Building;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    b = await addBuilding(t.db, 'Résidence Les Tilleuls', ZONE);
    await upsertReadings(
      t.db,
      meterReadings(meter, b.id, '2025-08-01T00:00:00Z', NOW.toISOString()),
    );
  }, 120_000);
  afterAll(async () => t?.close());

  it('finds the injected anomaly, stores it with an id, and queues its alerts', async () => {
    const res = await detect(t, b);
    const heater = res.anomalies.find(
      (a) =>
        Date.parse(a.timestamp) < Date.parse(HEATER.end) &&
        Date.parse(a.end) > Date.parse(HEATER.start),
    );
    expect(heater).toBeDefined();
    expect(heater?.device_ref).toBe(meter.prm);
    expect(heater?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(['minor', 'major', 'critical']).toContain(heater?.severity);
    expect(res.stored).toBe(res.total_anomalies);
    expect(res.method).toBe('profile');
    expect(res.threshold_percent).toBe(120);
    expect(res.analysis_period).toEqual({
      start: '2025-10-02T00:00:00.000Z',
      end: '2025-11-01T00:00:00.000Z',
    });
    expect(res.avg_consumption).toBeGreaterThan(0);
    expect(await countStored(t)).toBe(res.total_anomalies);
    // The default rule sends anomalies of 150 % and more to the log channel.
    const queued = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications');
    expect(res.alerts_queued).toBe(Number(queued.rows[0]?.n));
    expect(res.alerts_queued).toBeGreaterThan(0);
  });

  it('stores nothing twice when run again, and shows the same ids', async () => {
    const first = await detect(t, b);
    const again = await detect(t, b);
    expect(again.stored).toBe(0);
    expect(again.alerts_queued).toBe(0);
    expect(again.anomalies.map((a) => a.id)).toEqual(first.anomalies.map((a) => a.id));
    expect(await countStored(t)).toBe(first.total_anomalies);
  });

  it('--no-store detects without storing', async () => {
    const before = await countStored(t);
    const res = await detect(t, b, { method: 'moving-average', store: false });
    expect(res.method).toBe('moving-average');
    expect(res.stored).toBe(0);
    expect(res.anomalies.every((a) => a.id === null)).toBe(true);
    expect(await countStored(t)).toBe(before);
  });

  it('shows an acknowledged anomaly as such', async () => {
    const res = await detect(t, b);
    const id = res.anomalies[0]?.id as string;
    await acknowledgeAnomaly(t.db, id, 'alice');
    const again = await detect(t, b);
    expect(again.anomalies.find((a) => a.id === id)?.acknowledged).toBe(true);
  });

  it('an unknown id is "not found" (exit 9)', async () => {
    const e = await acknowledgeAnomaly(t.db, '00000000-0000-4000-8000-000000000000').catch(
      (x: unknown) => x,
    );
    expect((e as { exitCode: number }).exitCode).toBe(EXIT.NOT_FOUND);
  });
});

describe('--threshold', () => {
  it('must be a percentage above 100', () => {
    expect(parseThreshold('150')).toBe(150);
    for (const bad of ['100', '90', '1.2', 'abc', '']) {
      expect(() => parseThreshold(bad)).toThrow(UsageError);
      expect(() => parseThreshold(bad)).toThrow(/percentage of the baseline/);
    }
  });
});
