/**
 * A P1 meter end to end: the simulator publishes three simulated days of telegrams (the
 * October DST change included) on the Mosquitto broker; the daemon's P1 listeners store
 * them, and are restarted mid-stream. The stored quarter-hours must add up, day by day, to
 * what the meter's registers moved; no quarter may be missing or stored twice; the month's
 * peak is the highest quarter-hour demand; stats read the readings like any meter's.
 */
import { resolveConfig } from '../../../src/config.js';
import { randomBytes, randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring } from '../../../src/auth/vault.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { insertDevice } from '../../../src/db/devices.js';
import { insertP1Meter, listP1Meters } from '../../../src/db/p1Meters.js';
import { syncStatus } from '../../../src/services/meters.js';
import { statsOfBuilding } from '../../../src/services/stats.js';
import {
  startP1Simulator,
  type RunningP1Simulator,
} from '../../../src/simulator/p1/startP1Simulator.js';
import { startP1Meters, type RunningP1Meters } from '../../../src/sync/p1Meters.js';
import { createLogger } from '../../../src/ui/logger.js';
import { renderSyncStatus } from '../../../src/ui/statusView.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { BROKER } from './helpers.js';

const ZONE = 'Europe/Brussels';
// Saturday 24 October 2026, local midnight; the clocks go back on Sunday 25 at 03:00.
const START = Date.parse('2026-10-23T22:00:00Z');
const HOURS = 73; // 24 + 25 + 24: three whole local days.
const DAYS = [
  { day: '2026-10-24', from: START, quarters: 96 },
  { day: '2026-10-25', from: START + 24 * 3_600_000, quarters: 100 },
  { day: '2026-10-26', from: START + 49 * 3_600_000, quarters: 96 },
];
const END = START + HOURS * 3_600_000;

const log = createLogger({ stream: process.stderr, json: true, level: 'warn', color: false });

async function until(pred: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each(ENGINES)('P1 over MQTT, end to end (%s)', (engine) => {
  let t: TestDatabase;
  let sim: RunningP1Simulator | null = null;
  let meters: RunningP1Meters | null = null;
  const topic = `koprogo-test/p1/${randomBytes(6).toString('hex')}`;
  let buildingId = '';
  const deviceId = randomUUID();
  const prm = `1SAG${randomBytes(5).toString('hex').toUpperCase()}`;
  const keyring = () => parseKeyring(randomBytes(32).toString('hex'));
  const start = () =>
    startP1Meters({
      db: t.db,
      log,
      keyring,
      flushMs: 200,
      accumulator: { maxBehindSeconds: 3650 * 86_400 },
    });
  const quarters = async () =>
    Number(
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM iot_readings
            WHERE device_ref = $1 AND metric_type = 'electricity_consumption'`,
          [prm],
        )
      ).rows[0]?.n,
    );

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    buildingId = (await addBuilding(t.db, 'Residentie Schelde', ZONE)).id;
    await insertDevice(t.db, { id: deviceId, buildingId, prm, provider: 'p1' });
    await insertP1Meter(
      t.db,
      { deviceId, connection: { kind: 'mqtt', url: BROKER, topic }, header: null },
      null,
    );
    meters = start();
    await meters.refresh();
    // The listener's session exists once it has heard something on the topic.
    const probe = await mqtt.connectAsync(BROKER);
    await until(
      async () => {
        await probe.publishAsync(topic, 'probe', { qos: 1 });
        const [row] = await listP1Meters(t.db);
        return (row?.telegrams_rejected.no_start ?? 0) > 0;
      },
      'the listener to subscribe',
      30_000,
    );
    await probe.endAsync();

    sim = await startP1Simulator({
      start: START,
      hours: HOURS,
      intervalSeconds: 30,
      speed: 6000,
      seed: 42,
      equipmentId: prm,
      mqtt: { url: BROKER, topic },
    });
    // Restart the listeners mid-stream, as a daemon restart does.
    await until(async () => (await quarters()) >= 120, 'the first quarter-hours');
    await meters.stop();
    meters = start();
    await meters.refresh();
    await sim.done;
    await until(async () => (await quarters()) >= 292, 'every quarter-hour', 180_000);
    await meters.stop();
    meters = null;
  }, 400_000);

  afterAll(async () => {
    await meters?.stop();
    await sim?.stop();
    await t?.close();
  });

  it('stores each quarter-hour once, and each day adds up to its register difference', async () => {
    const rows = await t.db.query<{ metric_type: string; n: number; distinct_ts: number }>(
      `SELECT metric_type, count(*)::int AS n, count(DISTINCT "timestamp")::int AS distinct_ts
         FROM iot_readings WHERE device_ref = $1 AND interval_seconds = 900
        GROUP BY metric_type ORDER BY metric_type`,
      [prm],
    );
    for (const metric of [
      'electricity_consumption',
      'electricity_production',
      'electricity_demand',
    ])
      expect(rows.rows.find((r) => r.metric_type === metric)).toEqual({
        metric_type: metric,
        n: 292,
        distinct_ts: 292,
      });

    const truth = new Map(sim!.boundaries().map((b) => [b.at, b]));
    const imp = (at: number) => truth.get(at)!.importT1Kwh + truth.get(at)!.importT2Kwh;
    const exp = (at: number) => truth.get(at)!.exportT1Kwh + truth.get(at)!.exportT2Kwh;
    for (const d of DAYS) {
      const to = d.from + d.quarters * 900_000;
      const sums = await t.db.query<{ metric_type: string; total: number; n: number }>(
        `SELECT metric_type, sum(value) AS total, count(*)::int AS n FROM iot_readings
          WHERE device_ref = $1 AND "timestamp" >= $2 AND "timestamp" < $3
            AND metric_type IN ('electricity_consumption', 'electricity_production')
          GROUP BY metric_type`,
        [prm, new Date(d.from), new Date(to)],
      );
      const by = Object.fromEntries(sums.rows.map((r) => [r.metric_type, r]));
      expect(by.electricity_consumption?.n, d.day).toBe(d.quarters);
      expect(
        Math.abs(Number(by.electricity_consumption?.total) - (imp(to) - imp(d.from))),
        d.day,
      ).toBeLessThan(1e-6);
      expect(
        Math.abs(Number(by.electricity_production?.total) - (exp(to) - exp(d.from))),
        d.day,
      ).toBeLessThan(1e-6);
    }
  });

  it("stores the meter's monthly peak, equal to the highest quarter-hour demand", async () => {
    const peak = await t.db.query<{ month: string; kw: number; source: string; peak_at: Date }>(
      `SELECT to_char(month, 'YYYY-MM') AS month, kw, source, peak_at FROM meter_peaks
        WHERE building_id = $1 AND device_ref = $2`,
      [buildingId, prm],
    );
    expect(peak.rows).toHaveLength(1);
    const max = await t.db.query<{ kw: number; ts: Date }>(
      `SELECT value AS kw, "timestamp" AS ts FROM iot_readings
        WHERE device_ref = $1 AND metric_type = 'electricity_demand'
        ORDER BY value DESC LIMIT 1`,
      [prm],
    );
    const top = max.rows[0]!;
    expect(peak.rows[0]).toMatchObject({ month: '2026-10', source: 'p1' });
    // The meter states its peak to the watt; the quarter's demand is its energy × 4.
    expect(Math.abs(peak.rows[0]!.kw - top.kw)).toBeLessThan(0.0005);
    // The meter dates its peak by the quarter's end; readings by their start.
    expect(new Date(peak.rows[0]!.peak_at).getTime()).toBe(new Date(top.ts).getTime() + 900_000);
  });

  it('keeps the gas readings and the counters, and stats read the P1 readings', async () => {
    const gas = await t.db.query<{ total: number }>(
      `SELECT sum(value) AS total FROM iot_readings
        WHERE device_ref = $1 AND metric_type = 'gas_consumption'`,
      [prm],
    );
    const b = sim!.boundaries();
    const gasMoved = b[b.length - 1]!.gasM3! - b[0]!.gasM3!;
    expect(Number(gas.rows[0]?.total)).toBeGreaterThan(0);
    expect(Number(gas.rows[0]?.total)).toBeLessThanOrEqual(gasMoved + 1e-6);

    const [row] = await listP1Meters(t.db);
    // Every telegram is counted once; the few in flight when the listener was stopped
    // (handed to the closing client) are lost, and interpolation bridged them.
    const sent = sim!.counts().sent;
    expect(row?.telegrams_accepted).toBeLessThanOrEqual(sent);
    expect(row?.telegrams_accepted).toBeGreaterThan(sent - 10);
    expect(row?.telegrams_rejected).toEqual({ no_start: expect.any(Number) });
    expect(row?.last_telegram_at?.getTime()).toBe(END);
    expect(row?.resume_state?.last?.at).toBe(END);

    const stats = await statsOfBuilding(
      { db: t.db, now: () => new Date(END) },
      { id: buildingId, name: 'Residentie Schelde', timezone: ZONE },
      {
        period: 'day',
        metricType: 'electricity_consumption',
        device: prm,
        dates: () => ({ from: new Date(START), to: new Date(END) }),
      },
    );
    const days = stats.data_points.filter((p) => p.count > 0);
    expect(days.map((p) => [p.period, p.count, p.coverage])).toEqual(
      DAYS.map((d) => [d.day, d.quarters, 1]),
    );
    expect(days.map((p) => p.expected_count)).toEqual([96, 100, 96]);
  });

  it('status shows the P1 meter: its last telegram, what was rejected, no gap', async () => {
    const config = resolveConfig({}, {}, {}, null);
    const s = await syncStatus({ db: t.db, now: () => new Date(END), config });
    expect(s.p1_meters).toEqual([
      expect.objectContaining({
        prm,
        via: `mqtt ${BROKER} ${topic}`,
        last_telegram_at: new Date(END),
        gaps: 0,
        quiet_since: null,
      }),
    ]);
    const text = renderSyncStatus(s, { color: false, width: 120 });
    expect(text).toContain('P1 meters');
    expect(text).toMatch(new RegExp(`${prm} +Residentie Schelde .* no start`));
  });
});
