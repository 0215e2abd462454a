/**
 * A full sync stores exactly the provider's readings, a second one writes nothing, and the
 * DST change days hold the right number of intervals at the right UTC instants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  countByLocalDay,
  expectedRows,
  historyRange,
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  startTestSimulator,
  storedRows,
  syncConfig,
  syncRuns,
  type Row,
} from './helpers.js';

const HISTORY = 10;

describe.each(ENGINES)('sync on the %s database', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator({ quotas: { oresMinIntervalMs: 0 } });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('stores every reading once, and a re-sync of the synced range writes nothing new', async () => {
    const building = await newBuilding(t.db);
    const meters = [...sim.createMeters('enedis', 2), sim.createMeters('ores', 1)[0]!];
    const devices = await registerMeters(t.db, sim, building, meters);
    const config = syncConfig(sim, { historyDays: HISTORY });
    const prms = meters.map((m) => m.prm);

    const first = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: devices.map((d) => d.id) },
      { now: NOW },
    );
    expect(first.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    const { fromDay, toDay } = historyRange(HISTORY);
    const want: Row[] = meters
      .flatMap((m) =>
        expectedRows(m, fromDay, toDay, m.provider === 'ores' ? 'Europe/Brussels' : 'Europe/Paris'),
      )
      .sort((a, b) => (a.prm === b.prm ? a.ts.localeCompare(b.ts) : a.prm.localeCompare(b.prm)));
    const rows = await storedRows(t.db, prms);
    expect(rows.length).toBe(want.length);
    rows.forEach((r, i) => {
      const w = want[i]!;
      expect([r.prm, r.ts, r.secs]).toEqual([w.prm, w.ts, w.secs]);
      expect(r.kwh).toBeCloseTo(w.kwh, 9);
    });
    expect(first.reduce((n, r) => n + r.synced_readings, 0)).toBe(want.length);

    // Same range again (the overlap and an explicit --from over everything).
    const again = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: devices.map((d) => d.id) },
      { now: NOW },
    );
    expect(again.map((r) => [r.status, r.synced_readings])).toEqual([
      ['success', 0],
      ['success', 0],
      ['success', 0],
    ]);
    expect(again.every((r) => r.calls > 0)).toBe(true);
    const forced = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: devices.map((d) => d.id) },
      { now: NOW, fromDay, toDay },
    );
    expect(forced.map((r) => r.synced_readings)).toEqual([0, 0, 0]);
    expect(await storedRows(t.db, prms)).toEqual(rows);

    for (const m of meters) {
      const runs = await syncRuns(t.db, m.prm);
      expect(runs.map((r) => r.status)).toEqual(['success', 'success', 'success']);
      expect(runs[0]!.readings_written).toBe(want.filter((w) => w.prm === m.prm).length);
      expect(runs.slice(1).map((r) => r.readings_written)).toEqual([0, 0]);
      expect(
        runs.every((r) => r.calls > 0 && r.error_class === null && r.finished_at !== null),
      ).toBe(true);
    }
  });

  it('stores DST change days with 50/46 half-hours (100/92 quarter-hours) at their UTC instants', async () => {
    const building = await newBuilding(t.db);
    // A half-hourly and a quarter-hourly meter of each provider (every 5th meter is quarter-hourly).
    const pick = (provider: 'enedis' | 'ores', step: number) => {
      const m = sim
        .createMeters(provider, 5)
        .find(
          (x) =>
            x.stepMinutes === step && !x.stepChange && x.activationDate < new Date('2025-10-01'),
        );
      if (!m) throw new Error(`no ${step}-minute ${provider} meter among five`);
      return m;
    };
    const meters = [pick('enedis', 30), pick('enedis', 15), pick('ores', 30), pick('ores', 15)];
    expect(meters.map((m) => m.stepMinutes)).toEqual([30, 15, 30, 15]);
    const devices = await registerMeters(t.db, sim, building, meters);
    const config = syncConfig(sim, { historyDays: 730 });
    const filter = { dueOnly: false, deviceIds: devices.map((d) => d.id) };
    const ranges = [
      { fromDay: '2025-10-25', toDay: '2025-10-28', change: '2025-10-26', half: 50 },
      { fromDay: '2026-03-28', toDay: '2026-03-31', change: '2026-03-29', half: 46 },
    ];
    for (const r of ranges) {
      const res = await syncDevices(makeSyncEnv(t.db, config), filter, {
        now: NOW,
        fromDay: r.fromDay,
        toDay: r.toDay,
      });
      expect(res.map((x) => x.status)).toEqual(['success', 'success', 'success', 'success']);
    }
    for (const m of meters) {
      const zone = m.provider === 'ores' ? 'Europe/Brussels' : 'Europe/Paris';
      const rows = await storedRows(t.db, [m.prm]);
      const perDay = countByLocalDay(rows, zone);
      const f = 30 / m.stepMinutes;
      expect(perDay.get('2025-10-25')).toBe(48 * f);
      expect(perDay.get('2025-10-26')).toBe(50 * f);
      expect(perDay.get('2025-10-27')).toBe(48 * f);
      expect(perDay.get('2026-03-29')).toBe(46 * f);
      expect(perDay.get('2026-03-30')).toBe(48 * f);
      const want = ranges.flatMap((r) => expectedRows(m, r.fromDay, r.toDay, zone));
      expect(rows.map((x) => [x.ts, x.secs])).toEqual(want.map((x) => [x.ts, x.secs]));
      rows.forEach((x, i) => expect(x.kwh).toBeCloseTo(want[i]!.kwh, 9));
      // The repeated October hour: 00:00–01:00 UTC is 02:00–03:00 local twice (+02:00 then +01:00).
      const repeated = rows.filter(
        (x) => x.ts >= '2025-10-26T00:00:00.000Z' && x.ts < '2025-10-26T02:00:00.000Z',
      );
      expect(repeated.length).toBe(4 * f);
      // No instant in the March day falls in the hour that does not exist (01:00–02:00 UTC is 03:00 local).
      const march = rows.filter(
        (x) => x.ts >= '2026-03-28T23:00:00.000Z' && x.ts < '2026-03-29T22:00:00.000Z',
      );
      expect(march.length).toBe(46 * f);
    }
  });
});
