/**
 * The life of an alert as a building manager meets it: a lasting level shift found by
 * daily runs sends one alert, not one per run nor one for its first day and another for
 * the shift; an acknowledged anomaly sends nothing afterwards (to a real webhook receiver);
 * alerts queued by a manual `anomalies` run go out with the next command that delivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertReadings } from '../../../src/db/readings.js';
import { checkAnomalies } from '../../../src/notify/checkAnomalies.js';
import { deliverPending } from '../../../src/notify/outbox.js';
import { acknowledgeAnomaly, findAnomalies } from '../../../src/services/anomalies.js';
import { syncMeters } from '../../../src/services/sync.js';
import { meterReadings, plainMeter } from '../stats/fixtures.js';
import {
  captureLog,
  openTestDatabase,
  resetAlerts,
  startReceiver,
  targets,
  testBuilding,
  testConfig,
  type TestDatabase,
} from './helpers.js';

const DAY = 86_400_000;
const METRIC = 'electricity_consumption' as const;
// A device left on for good from 20 October 2025 at 12:00 Brussels: 900 W more, day and night.
const SHIFT_START = Date.parse('2025-10-20T10:00:00Z');
const meter = plainMeter({
  anomalies: [
    {
      kind: 'stuck_heater',
      start: new Date(SHIFT_START).toISOString(),
      end: '2026-06-01T00:00:00Z',
      factor: 1,
      addedW: 900,
    },
  ],
});
// A spike on 14 October 2025, 10:00–14:00 Brussels: 2.5 kW more.
const spikeMeter = plainMeter({
  prm: '25000000000099',
  seed: 777,
  anomalies: [
    {
      kind: 'stuck_heater',
      start: '2025-10-14T08:00:00Z',
      end: '2025-10-14T12:00:00Z',
      factor: 1,
      addedW: 2500,
    },
  ],
});

const at3 = (day: string) => new Date(`${day}T02:00:00Z`);

for (const target of targets()) {
  describe(`alert lifecycle (${target})`, () => {
    let t: TestDatabase;
    let buildingId: string;

    beforeAll(async () => {
      t = await openTestDatabase(target);
      buildingId = await testBuilding(t.db);
    }, 120_000);
    afterAll(async () => t?.close());

    const load = async (m: typeof meter, from: string, to: string) =>
      upsertReadings(t.db, meterReadings(m, buildingId, from, to));

    it('a lasting level shift yields exactly one alert over daily runs', async () => {
      await resetAlerts(t.db);
      const config = testConfig();
      let loadedTo = '2025-08-01T00:00:00Z';
      for (
        let d = Date.parse('2025-10-18T00:00:00Z');
        d <= Date.parse('2025-10-31T00:00:00Z');
        d += DAY
      ) {
        const now = at3(new Date(d).toISOString().slice(0, 10));
        await load(meter, loadedTo, now.toISOString());
        loadedTo = now.toISOString();
        await findAnomalies(
          { db: t.db, config, now: () => now },
          { building: buildingId, metricType: METRIC, device: meter.prm, days: 30, store: true },
        );
      }
      const near = await t.db.query<{ id: string; kind: string; ongoing: boolean; size_w: number }>(
        `SELECT id, kind, ongoing, size_w FROM anomalies
          WHERE device_ref = $1 AND end_at > $2 ORDER BY start_at`,
        [meter.prm, new Date(SHIFT_START - DAY).toISOString()],
      );
      expect(near.rows).toHaveLength(1);
      expect(near.rows[0]!.kind).toBe('level_shift');
      expect(near.rows[0]!.ongoing).toBe(true);
      // Its size is the device left on, within the meter's own variability.
      expect(near.rows[0]!.size_w).toBeGreaterThan(600);
      expect(near.rows[0]!.size_w).toBeLessThan(1200);
      const alerts = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications n JOIN anomalies a ON a.id = n.anomaly_id
          WHERE a.device_ref = $1 AND a.end_at > $2`,
        [meter.prm, new Date(SHIFT_START - DAY).toISOString()],
      );
      expect(alerts.rows[0]!.n).toBe(1);
    }, 300_000);

    it('an acknowledged anomaly sends nothing to the webhook', async () => {
      await resetAlerts(t.db);
      const receiver = await startReceiver();
      try {
        const config = testConfig({
          notifications: { channels: { hook: { type: 'webhook', url: receiver.url } } },
          alerts: {
            rules: [
              {
                condition: 'above_baseline',
                severity: 'minor',
                threshold_percent: 130,
                channels: ['hook'],
              },
            ],
          },
        });
        await load(spikeMeter, '2025-08-01T00:00:00Z', '2025-10-16T00:00:00Z');
        // What a sync runs after each meter: detect and queue, no delivery yet.
        const found = await checkAnomalies(t.db, config, {
          buildingId,
          deviceRef: spikeMeter.prm,
          metricType: METRIC,
          timeZone: 'Europe/Brussels',
          days: 7,
          now: new Date('2025-10-16T00:00:00Z'),
        });
        expect(found.queued).toBeGreaterThan(0);
        for (const a of found.anomalies) {
          const ack = await acknowledgeAnomaly({ db: t.db }, a.id, 'manager');
          expect(ack.anomaly.acknowledgedBy).toBe('manager');
        }
        const { log } = captureLog();
        const sent = await deliverPending(t.db, config, { log });
        expect(sent.sent).toBe(0);
        expect(receiver.received).toHaveLength(0);
        const statuses = await t.db.query<{ status: string }>(
          'SELECT DISTINCT status FROM notifications',
        );
        expect(statuses.rows.map((r) => r.status)).toEqual(['cancelled']);
        // Detected again by the next run: stored already, acknowledged, still nothing sent.
        const again = await findAnomalies(
          { db: t.db, config, now: () => new Date('2025-10-16T00:00:00Z'), log },
          {
            building: buildingId,
            metricType: METRIC,
            device: spikeMeter.prm,
            days: 7,
            store: true,
          },
        );
        expect(again.alerts_queued).toBe(0);
        expect(again.anomalies.every((a) => a.acknowledged)).toBe(true);
        expect(receiver.received).toHaveLength(0);
      } finally {
        await receiver.close();
      }
    }, 120_000);

    it('a manual run with a webhook configured delivers at once', async () => {
      await resetAlerts(t.db);
      const receiver = await startReceiver();
      try {
        const config = testConfig({
          notifications: { channels: { hook: { type: 'webhook', url: receiver.url } } },
          alerts: {
            rules: [
              {
                condition: 'above_baseline',
                severity: 'minor',
                threshold_percent: 130,
                channels: ['hook'],
              },
            ],
          },
        });
        const { log } = captureLog();
        const res = await findAnomalies(
          { db: t.db, config, now: () => new Date('2025-10-16T00:00:00Z'), log },
          {
            building: buildingId,
            metricType: METRIC,
            device: spikeMeter.prm,
            days: 7,
            store: true,
          },
        );
        expect(res.alerts_queued).toBeGreaterThan(0);
        expect(res.alerts_delivered?.sent).toBe(res.alerts_queued);
        expect(receiver.received).toHaveLength(res.alerts_queued);
        const body = JSON.parse(receiver.received[0]!.body) as { anomaly: { device_ref: string } };
        expect(body.anomaly.device_ref).toBe(spikeMeter.prm);
      } finally {
        await receiver.close();
      }
    }, 120_000);

    it('alerts queued by a manual run go out with the next sync', async () => {
      await resetAlerts(t.db);
      const config = testConfig();
      const quiet = captureLog();
      const res = await findAnomalies(
        { db: t.db, config, now: () => new Date('2025-10-16T00:00:00Z'), log: quiet.log },
        { building: buildingId, metricType: METRIC, device: spikeMeter.prm, days: 7, store: true },
      );
      // Only the built-in log channel: the run leaves delivery to the next command.
      expect(res.alerts_queued).toBeGreaterThan(0);
      expect(res.alerts_delivered).toBeNull();
      const captured = captureLog();
      const outcome = await syncMeters(
        { db: t.db, config, log: captured.log },
        { device: undefined, building: undefined },
        { env: {} },
      );
      expect(outcome.notifications.sent).toBe(res.alerts_queued);
      const alerted = captured.lines().filter((l) => l.anomaly !== undefined);
      expect(alerted.length).toBeGreaterThan(0);
      const pending = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications WHERE status <> 'sent'`,
      );
      expect(pending.rows[0]!.n).toBe(0);
    }, 120_000);
  });
}
