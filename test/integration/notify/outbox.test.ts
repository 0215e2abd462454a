import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storeAnomalies } from '../../../src/db/anomalies.js';
import { deliverPending, enqueueNotifications, outboxStatus } from '../../../src/notify/outbox.js';
import {
  captureLog,
  openTestDatabase,
  resetAlerts,
  sampleAnomaly,
  startReceiver,
  storeOne,
  targets,
  testBuilding,
  testConfig,
  type TestDatabase,
} from './helpers.js';

const SECRET = 'whsec-test-7f3a';

describe.each(targets())('alert outbox (%s database)', (target) => {
  let t: TestDatabase;
  let buildingId: string;
  // The test's clock: a little after the rows are queued (they are due from their insert).
  let T0: Date;
  beforeEach(() => {
    T0 = new Date(Date.now() + 5_000);
  });

  beforeAll(async () => {
    t = await openTestDatabase(target);
    buildingId = await testBuilding(t.db);
  }, 60_000);
  afterAll(async () => t?.close());
  beforeEach(async () => resetAlerts(t.db));

  const webhookConfig = (url: string) =>
    testConfig({
      notifications: {
        channels: { ops: { type: 'webhook', url, secretEnv: 'OPS_HOOK_SECRET', timeoutMs: 2000 } },
      },
    });
  const deps = { env: { OPS_HOOK_SECRET: SECRET } };

  it('queues alerts with the anomaly, or not at all when the transaction fails', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        const [a] = await storeAnomalies(tx, [sampleAnomaly(buildingId)]);
        await enqueueNotifications(tx, a!, ['log', 'ops'], 'fr');
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect((await t.db.query('SELECT id FROM anomalies')).rows).toHaveLength(0);
    expect((await outboxStatus(t.db)).pending).toBe(0);

    const queued = await t.db.transaction(async (tx) => {
      const [a] = await storeAnomalies(tx, [sampleAnomaly(buildingId)]);
      return enqueueNotifications(tx, a!, ['log', 'ops', 'log'], 'fr');
    });
    expect(queued).toBe(2);
    expect((await outboxStatus(t.db)).pending).toBe(2);
  });

  it('writes the alert to the log channel once, in French by default', async () => {
    const a = await storeOne(t.db, sampleAnomaly(buildingId));
    await t.db.transaction((tx) => enqueueNotifications(tx, a, ['log'], 'fr'));
    const cap = captureLog();
    const config = testConfig();
    const r = await deliverPending(t.db, config, { log: cap.log });
    expect(r).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    const alert = cap.lines().find((l) => l.anomaly === a.id);
    expect(alert?.level).toBe('error'); // critical
    expect(alert?.msg).toMatch(/^Consommation 500% supérieure au profil habituel/);
    expect(alert?.building).toBe('Résidence Les Tilleuls');

    const again = await deliverPending(t.db, config, { log: cap.log });
    expect(again.claimed).toBe(0);
    expect(await outboxStatus(t.db)).toMatchObject({ pending: 0, sent: 1, failed: 0 });
  });

  it('signs webhooks, retries after a failure with backoff, then delivers', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 503 : 200));
    try {
      const a = await storeOne(t.db, sampleAnomaly(buildingId));
      await t.db.transaction((tx) => enqueueNotifications(tx, a, ['ops'], 'fr'));
      const config = webhookConfig(receiver.url);
      const cap = captureLog();
      let now = T0;
      const opts = { log: cap.log, now: () => now, deps };

      const first = await deliverPending(t.db, config, opts);
      expect(first).toMatchObject({ sent: 0, retrying: 1 });
      const status = await outboxStatus(t.db);
      expect(status.pending).toBe(1);
      expect(status.problems[0]?.lastError).toMatch(/answered HTTP 503: receiver unavailable/);
      expect(status.problems[0]?.lastError).not.toContain(receiver.url);
      expect(status.nextAttemptAt).toEqual(new Date(T0.getTime() + 30_000));

      // Not due yet: nothing is sent.
      now = new Date(T0.getTime() + 10_000);
      expect((await deliverPending(t.db, config, opts)).claimed).toBe(0);

      now = new Date(T0.getTime() + 31_000);
      expect(await deliverPending(t.db, config, opts)).toMatchObject({ sent: 1 });
      expect(receiver.received).toHaveLength(2);

      for (const req of receiver.received) {
        const expected = createHmac('sha256', SECRET).update(req.body).digest('hex');
        expect(req.headers['x-koprogo-signature']).toBe(`sha256=${expected}`);
        expect(req.headers['content-type']).toMatch(/^application\/json/);
        expect(Number(req.headers['x-koprogo-timestamp'])).toBeGreaterThan(1_700_000_000);
      }
      const [firstTry, secondTry] = receiver.received;
      // Both tries carry the same idempotency key: the notification's id and channel.
      expect(secondTry?.headers['idempotency-key']).toBe(firstTry?.headers['idempotency-key']);
      const body = JSON.parse(secondTry!.body) as Record<string, unknown>;
      expect(`${String(body.notification_id)}-ops`).toBe(secondTry?.headers['idempotency-key']);
      expect(body.event).toBe('anomaly.detected');
      expect(body.message).toMatch(/^Consommation 500% supérieure/);
      expect(body.subject).toBe(
        `[KoproGo] Anomalie critique : surconsommation — Résidence Les Tilleuls (compteur 12345678901234)`,
      );
      expect(body.anomaly).toMatchObject({
        id: a.id,
        device_ref: '12345678901234',
        severity: 'critical',
        variance_percent: 500,
        timestamp: '2025-02-19T09:00:00.000Z',
        unit: 'kWh',
      });
      expect(await outboxStatus(t.db)).toMatchObject({ pending: 0, sent: 1, problems: [] });
    } finally {
      await receiver.close();
    }
  });

  it('gives up after the last attempt and shows the error in the status', async () => {
    const receiver = await startReceiver(() => 500);
    try {
      const a = await storeOne(t.db, sampleAnomaly(buildingId));
      await t.db.transaction((tx) => enqueueNotifications(tx, a, ['ops'], 'en'));
      const config = webhookConfig(receiver.url);
      const cap = captureLog();
      let now = T0;
      const opts = { log: cap.log, now: () => now, deps, maxAttempts: 3, backoffMs: () => 1000 };
      const outcomes = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(await deliverPending(t.db, config, opts));
        now = new Date(now.getTime() + 2000);
      }
      expect(outcomes.map((o) => [o.retrying, o.failed])).toEqual([
        [1, 0],
        [1, 0],
        [0, 1],
      ]);
      expect((await deliverPending(t.db, config, opts)).claimed).toBe(0);
      expect(receiver.received).toHaveLength(3);
      const status = await outboxStatus(t.db);
      expect(status).toMatchObject({ pending: 0, failed: 1 });
      expect(status.problems[0]).toMatchObject({
        status: 'failed',
        attempts: 3,
        channel: 'ops',
        anomalyId: a.id,
        nextAttemptAt: null,
      });
      expect(status.problems[0]?.lastError).toMatch(/HTTP 500/);
      expect(cap.text()).toContain('alert delivery failed for good');
    } finally {
      await receiver.close();
    }
  });

  it('fails without sending when the signing secret is missing, naming the variable', async () => {
    const receiver = await startReceiver();
    try {
      const a = await storeOne(t.db, sampleAnomaly(buildingId));
      await t.db.transaction((tx) => enqueueNotifications(tx, a, ['ops'], 'fr'));
      const r = await deliverPending(t.db, webhookConfig(receiver.url), {
        log: captureLog().log,
        deps: { env: {} },
      });
      expect(r.retrying).toBe(1);
      expect(receiver.received).toHaveLength(0);
      expect((await outboxStatus(t.db)).problems[0]?.lastError).toMatch(/OPS_HOOK_SECRET/);
    } finally {
      await receiver.close();
    }
  });

  it('delivers once when two deliverers run at the same time', async () => {
    const receiver = await startReceiver();
    try {
      const anomalies = await t.db.transaction(async (tx) => {
        const list = await storeAnomalies(
          tx,
          [0, 1, 2, 3, 4].map((d) =>
            sampleAnomaly(buildingId, { start: new Date(Date.UTC(2025, 1, 10 + d, 9)) }),
          ),
        );
        for (const a of list) await enqueueNotifications(tx, a, ['ops'], 'fr');
        return list;
      });
      const config = webhookConfig(receiver.url);
      // On the server, the second deliverer is another connection pool (another process).
      const other = target === 'server' ? await t.reopen() : t.db;
      const cap = captureLog();
      const [r1, r2] = await Promise.all([
        deliverPending(t.db, config, { log: cap.log, deps }),
        deliverPending(other, config, { log: cap.log, deps }),
      ]);
      expect(r1.sent + r2.sent).toBe(anomalies.length);
      const keys = receiver.received.map((r) => r.headers['idempotency-key']);
      expect(keys).toHaveLength(anomalies.length);
      expect(new Set(keys).size).toBe(anomalies.length);
    } finally {
      await receiver.close();
    }
  });

  it('leaves a claim cut short alone until its timeout, then retries it with the same key', async () => {
    const receiver = await startReceiver();
    try {
      const a = await storeOne(t.db, sampleAnomaly(buildingId));
      await t.db.transaction((tx) => enqueueNotifications(tx, a, ['ops'], 'fr'));
      // A deliverer claims the row and dies before recording any outcome.
      await t.db.query(
        `UPDATE notifications SET status = 'sending', attempts = 1,
                next_attempt_at = $1::timestamptz + interval '15 minutes'`,
        [T0.toISOString()],
      );
      const config = webhookConfig(receiver.url);
      const log = captureLog().log;
      const at = (min: number) => () => new Date(T0.getTime() + min * 60_000);
      expect((await deliverPending(t.db, config, { log, deps, now: at(5) })).claimed).toBe(0);
      expect(receiver.received).toHaveLength(0);
      expect(await outboxStatus(t.db)).toMatchObject({ sending: 1 });

      expect(await deliverPending(t.db, config, { log, deps, now: at(16) })).toMatchObject({
        sent: 1,
      });
      const [id] = (await t.db.query<{ id: number }>('SELECT id FROM notifications')).rows;
      expect(receiver.received[0]?.headers['idempotency-key']).toBe(`${String(id?.id)}-ops`);
      const row = await t.db.query<{ attempts: number; status: string }>(
        'SELECT attempts, status FROM notifications',
      );
      expect(row.rows[0]).toEqual({ attempts: 2, status: 'sent' });
    } finally {
      await receiver.close();
    }
  });
});
