/**
 * A crash between detection and delivery: the anomaly and its alert are committed
 * together, the process dies before delivering, and a later run delivers exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeAnomalies } from '../../../src/db/anomalies.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import type { Database } from '../../../src/db/types.js';
import { deliverPending, enqueueNotifications, outboxStatus } from '../../../src/notify/outbox.js';
import {
  captureLog,
  openTestDatabase,
  sampleAnomaly,
  startReceiver,
  testBuilding,
  testConfig,
} from './helpers.js';

interface Store {
  /** The first process's connection. */
  open(): Promise<Database>;
  /** A later process on the same data. */
  reopen(): Promise<Database>;
  cleanup(): Promise<void>;
}

function embeddedStore(): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-outbox-'));
  const open = async () => {
    const db = await openEmbeddedDatabase(dir, { command: 'test' });
    await migrate(db);
    return db;
  };
  return {
    open,
    reopen: open,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

async function serverStore(): Promise<Store> {
  const t = await openTestDatabase('server');
  return { open: async () => t.db, reopen: () => t.reopen(), cleanup: () => t.close() };
}

const stores: [string, () => Promise<Store>][] = [['embedded', async () => embeddedStore()]];
if (process.env.TEST_DATABASE_URL) stores.push(['server', serverStore]);

describe.each(stores)('outbox across a crash (%s database)', (_name, makeStore) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('delivers an alert queued before the crash exactly once after the restart', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const store = await makeStore();
    cleanups.push(store.cleanup);
    const config = testConfig({
      notifications: { channels: { ops: { type: 'webhook', url: receiver.url } } },
    });

    // First process: detection commits the anomaly and its alerts, then the process dies.
    const first = await store.open();
    const buildingId = await testBuilding(first);
    const anomalyId = await first.transaction(async (tx) => {
      const [a] = await storeAnomalies(tx, [sampleAnomaly(buildingId)]);
      await enqueueNotifications(tx, a!, ['ops', 'log'], 'fr');
      return a!.id;
    });
    await first.close();

    // Next process: the alert is still due, and goes out once.
    const second = await store.reopen();
    cleanups.push(() => second.close().catch(() => {}));
    expect(await outboxStatus(second)).toMatchObject({ pending: 2, sent: 0 });
    const cap = captureLog();
    const r = await deliverPending(second, config, { log: cap.log });
    expect(r).toMatchObject({ claimed: 2, sent: 2 });
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({
      anomaly: { id: anomalyId },
    });
    const alertLines = cap
      .lines()
      .filter((l) => l.anomaly === anomalyId && String(l.msg).startsWith('Consommation'));
    expect(alertLines).toHaveLength(1);

    // Later runs have nothing left to send.
    expect((await deliverPending(second, config, { log: cap.log })).claimed).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect(await outboxStatus(second)).toMatchObject({ pending: 0, sending: 0, sent: 2 });
  }, 60_000);
});
