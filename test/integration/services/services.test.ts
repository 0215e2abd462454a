/**
 * The use cases as commands call them, in-process on a real database: each takes the
 * database, the configuration and the clock, and returns data.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import { insertDevice } from '../../../src/db/devices.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { EXIT, UsageError } from '../../../src/domain/errors.js';
import { detectSeries, storeAndAlert } from '../../../src/notify/checkAnomalies.js';
import { findAnomalies, listStoredAnomalies } from '../../../src/services/anomalies.js';
import { addBuilding, listBuildings } from '../../../src/services/buildings.js';
import { listMeters, syncStatus } from '../../../src/services/meters.js';
import { listReadings } from '../../../src/services/readings.js';
import { buildReport } from '../../../src/services/report.js';
import { computeStats } from '../../../src/services/stats.js';
import { renderStoredAnomalies } from '../../../src/ui/anomaliesView.js';
import { renderReport } from '../../../src/ui/reportView.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ZONE, meterReadings, plainMeter } from '../stats/fixtures.js';

// A heater stuck on (2.5 kW more) on 20 October 2025, 10:00–14:00 Brussels.
const HEATER = { start: '2025-10-20T08:00:00Z', end: '2025-10-20T12:00:00Z' };
const meter = plainMeter({
  anomalies: [{ kind: 'stuck_heater', ...HEATER, factor: 1, addedW: 2500 }],
});
const NOW = new Date('2025-11-03T10:00:00Z');
const config = resolveConfig({}, {}, {}, null);
const METRIC = 'electricity_consumption' as const;

describe.each(ENGINES)('services (%s database)', (engine) => {
  let t: TestDatabase;
  const deps = () => ({ db: t.db, config, now: () => NOW });

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    const b = await addBuilding(deps(), 'Résidence Les Tilleuls', ZONE);
    await upsertReadings(
      t.db,
      meterReadings(meter, b.id, '2025-08-01T00:00:00Z', NOW.toISOString()),
    );
    await insertDevice(t.db, {
      id: randomUUID(),
      buildingId: b.id,
      prm: meter.prm,
      provider: 'enedis',
      consentExpiresAt: new Date('2025-11-01T00:00:00Z'),
    });
  }, 120_000);
  afterAll(async () => t?.close());

  it('adds a building only in a real time zone, and lists it with its meter', async () => {
    const bad = await addBuilding(deps(), 'Nowhere', 'Mars/Olympus').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UsageError);
    expect((bad as UsageError).exitCode).toBe(EXIT.USAGE);
    const list = await listBuildings(deps());
    expect(list.map((b) => [b.name, b.devices])).toEqual([['Résidence Les Tilleuls', 1]]);
    expect((await listMeters(deps())).map((m) => m.prm)).toEqual([meter.prm]);
  });

  it('computes statistics of the only building, with its dates read in its zone', async () => {
    const zones: string[] = [];
    const res = await computeStats(deps(), {
      period: 'day',
      metricType: METRIC,
      dates: (zone) => {
        zones.push(zone);
        // 26 October 2025, local midnight to midnight.
        return { from: new Date('2025-10-25T22:00:00Z'), to: new Date('2025-10-26T23:00:00Z') };
      },
    });
    expect(zones).toEqual([ZONE]);
    expect(res.building.name).toBe('Résidence Les Tilleuls');
    // The October DST day: 50 half-hours.
    expect(res.data_points.map((p) => [p.period, p.count])).toEqual([['2025-10-26', 50]]);
  });

  it('pages readings of a range the command resolved in the building zone', async () => {
    const page = await listReadings(deps(), {
      range: () => ({ from: new Date(HEATER.start), to: new Date(HEATER.end) }),
      page: 2,
      perPage: 3,
    });
    expect(page.pagination).toEqual({ page: 2, per_page: 3, total: 8, total_pages: 3 });
    expect(page.readings.map((r) => r.timestamp)).toEqual([
      '2025-10-20T09:30:00.000Z',
      '2025-10-20T10:00:00.000Z',
      '2025-10-20T10:30:00.000Z',
    ]);
  });

  it('the alerting step stores what it is handed, once, and queues its alerts', async () => {
    const b = (await listBuildings(deps()))[0]!;
    const series = { buildingId: b.id, deviceRef: meter.prm, metricType: METRIC };
    const settings = {
      method: 'profile' as const,
      thresholdPercent: 120,
      from: new Date('2025-10-15T00:00:00Z'),
      to: new Date('2025-10-25T00:00:00Z'),
      timeZone: ZONE,
    };
    const { anomalies } = await detectSeries(t.db, config, series, settings);
    const heater = anomalies.filter(
      (a) => a.start < new Date(HEATER.end) && a.end > new Date(HEATER.start),
    );
    expect(heater).toHaveLength(1);
    const first = await storeAndAlert(t.db, config, { ...series, method: 'profile' }, heater);
    expect(first.stored.map((a) => a.start)).toEqual(heater.map((a) => a.start));
    const again = await storeAndAlert(t.db, config, { ...series, method: 'profile' }, heater);
    expect(again).toEqual({ stored: [], queued: 0 });
  });

  it('a detection run shows the ids of what it stored and of what was stored before', async () => {
    const res = await findAnomalies(deps(), { metricType: METRIC, days: 30, store: true });
    expect(res.anomalies.length).toBeGreaterThan(0);
    expect(res.anomalies.every((a) => a.id !== null)).toBe(true);
    // The heater was stored by the previous test: not new now.
    expect(res.stored).toBe(res.total_anomalies - 1);
    const stored = await listStoredAnomalies(deps(), { all: true });
    expect(stored.anomalies.map((a) => a.id).sort()).toEqual(res.anomalies.map((a) => a.id).sort());
  });

  it("the report carries October's open anomalies as stored, and renders them", async () => {
    const r = await buildReport(deps(), { metricType: METRIC, month: '2025-10' });
    expect(r.anomalies.length).toBeGreaterThan(0);
    // Real stored anomalies, with when they were found.
    for (const a of r.anomalies) expect(a.detectedAt.getTime()).toBeGreaterThan(0);
    const text = renderReport(r, { color: false, width: 120 });
    expect(text).toContain(`Open anomalies (${r.anomalies.length})`);
    expect(text).toContain(
      renderStoredAnomalies(r.anomalies, ZONE, {
        color: false,
        width: 120,
        acknowledged: false,
      }).split('\n')[0],
    );
    // The consent ended before the report's clock: said in red on a terminal.
    const colored = renderReport(r, { color: true, width: 120 });
    expect(colored).toContain('\u001b[31m2025-11-01 01:00');
  });

  it('sync status lists the meter and the alerts queued by the detection', async () => {
    const s = await syncStatus(deps());
    expect(s.devices.map((d) => [d.prm, d.gaps, d.failing])).toEqual([[meter.prm, 0, false]]);
    expect(s.outbox.pending).toBeGreaterThan(0);
    expect(s.daemons).toEqual([]);
  });
});
