/**
 * Stored anomalies as growing events: an event seen again with a later end updates its row
 * (one alert, the latest end and peak), and acknowledging an anomaly cancels its alerts
 * still waiting in the outbox. On the embedded database, and on the server when configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acknowledgeAnomaly,
  listAnomalies,
  storeAnomalies,
  type NewAnomaly,
} from '../../../src/db/anomalies.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { enqueueNotifications } from '../../../src/notify/outbox.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

for (const engine of ENGINES) {
  describe(`anomaly events (${engine})`, () => {
    let t: TestDatabase;
    let buildingId: string;

    beforeAll(async () => {
      t = await openTestDatabase(engine);
      buildingId = (await addBuilding(t.db, 'Résidence des Tilleuls', 'Europe/Brussels')).id;
    });
    afterAll(async () => {
      await t.close();
    });

    const shift = (end: string, ongoing: boolean): NewAnomaly => ({
      buildingId,
      deviceRef: '54140000000000001',
      metricType: 'consumption',
      kind: 'level_shift',
      method: 'profile',
      start: new Date('2026-10-20T23:00:00Z'),
      end: new Date(end),
      value: 0.6,
      baseline: 0.25,
      variancePercent: 140,
      severity: 'critical',
      message: 'Lasting rise of the load by about 700 W since 21/10/2026',
      peakWatts: 1200,
      sizeWatts: 700,
      ongoing,
    });

    it('stores a growing event once and moves its end, then reports it no longer ongoing', async () => {
      const first = await storeAnomalies(t.db, [shift('2026-10-23T04:00:00Z', true)]);
      expect(first).toHaveLength(1);
      expect(first[0]!.ongoing).toBe(true);
      expect(first[0]!.sizeWatts).toBe(700);

      const again = await storeAnomalies(t.db, [shift('2026-11-05T04:00:00Z', false)]);
      expect(again).toEqual([]); // no new row: no second alert
      const [stored] = await listAnomalies(t.db, { buildingId });
      expect(stored!.end).toEqual(new Date('2026-11-05T04:00:00Z'));
      expect(stored!.ongoing).toBe(false);

      // An older view of the same event (a shorter window) does not shrink it.
      await storeAnomalies(t.db, [shift('2026-10-23T04:00:00Z', true)]);
      const [still] = await listAnomalies(t.db, { buildingId });
      expect(still!.end).toEqual(new Date('2026-11-05T04:00:00Z'));
    });

    it('cancels the pending alerts of an acknowledged anomaly, and only those', async () => {
      const [a] = await storeAnomalies(t.db, [
        { ...shift('2026-11-12T04:00:00Z', true), start: new Date('2026-11-10T23:00:00Z') },
      ]);
      expect(await enqueueNotifications(t.db, a!, ['log', 'webhook'], 'en')).toBe(2);
      await t.db.query(
        `UPDATE notifications SET status = 'sent' WHERE anomaly_id = $1 AND channel = 'log'`,
        [a!.id],
      );
      const ack = await acknowledgeAnomaly(t.db, a!.id, 'manager');
      expect(ack.cancelledAlerts).toBe(1);
      const rows = await t.db.query<{ channel: string; status: string }>(
        'SELECT channel, status FROM notifications WHERE anomaly_id = $1 ORDER BY channel',
        [a!.id],
      );
      expect(rows.rows).toEqual([
        { channel: 'log', status: 'sent' },
        { channel: 'webhook', status: 'cancelled' },
      ]);
      const twice = await acknowledgeAnomaly(t.db, a!.id, 'manager');
      expect(twice.alreadyAcknowledged).toBe(true);
      expect(twice.cancelledAlerts).toBe(0);
    });
  });
}
