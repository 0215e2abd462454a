/**
 * Two deliverers (the daemon and a `sync`, or two daemons) and a slow webhook receiver:
 * every alert must arrive exactly once. Before rows were claimed one at a time, a run that
 * claimed a batch kept sending after the batch's deadline had passed, and the other
 * deliverer took the unsent rows over and sent them too.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAnomalies } from '../../../src/db/anomalies.js';
import type { Database } from '../../../src/db/types.js';
import { deliverPending, enqueueNotifications, outboxStatus } from '../../../src/notify/outbox.js';
import {
  captureLog,
  openTestDatabase,
  sampleAnomaly,
  startReceiver,
  targets,
  testBuilding,
  testConfig,
  type TestDatabase,
} from './helpers.js';

const ALERTS = 10;
const MINUTE = 60_000;

describe.each(targets())('alert delivery with a slow receiver (%s database)', (target) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(target);
  }, 60_000);
  afterAll(async () => t?.close());

  it('two deliverers, each answer taking 4 of the 15 claim minutes: every alert once', async () => {
    // The deliverers' clock; the receiver moves it on by 4 minutes per request it answers,
    // so ten answers in a row take 40 minutes, well past one claim's 15.
    let now = Date.now() + 5_000;
    const receiver = await startReceiver(() => {
      now += 4 * MINUTE;
      return 200;
    });
    try {
      const buildingId = await testBuilding(t.db);
      await t.db.transaction(async (tx) => {
        const list = await storeAnomalies(
          tx,
          Array.from({ length: ALERTS }, (_, d) =>
            sampleAnomaly(buildingId, { start: new Date(Date.UTC(2025, 0, 1 + d, 9)) }),
          ),
        );
        for (const a of list) await enqueueNotifications(tx, a, ['ops'], 'fr');
      });
      const config = testConfig({
        notifications: { channels: { ops: { type: 'webhook', url: receiver.url } } },
      });
      const other = target === 'server' ? await t.reopen() : t.db;
      const log = captureLog().log;
      const opts = { log, now: () => new Date(now), sendingTimeoutMs: 15 * MINUTE };
      // Each deliverer keeps running until nothing is left to deliver (bounded).
      const deliverer = async (db: Database) => {
        for (let run = 0; run < 500; run++) {
          await deliverPending(db, config, opts);
          const s = await outboxStatus(db);
          if (s.pending + s.sending === 0) return;
          await nextTurn();
        }
        throw new Error('deliveries did not finish');
      };
      await Promise.all([deliverer(t.db), deliverer(other)]);

      const keys = receiver.received.map((r) => r.headers['idempotency-key']);
      expect(keys).toHaveLength(ALERTS);
      expect(new Set(keys).size).toBe(ALERTS);
      expect(await outboxStatus(t.db)).toMatchObject({ pending: 0, sending: 0, sent: ALERTS });
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
