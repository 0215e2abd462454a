/**
 * The P1 meter store: broker credentials sealed at rest and opened again, re-sealed by a key
 * rotation; counters of rejected telegrams added up across batches; a quiet period opened and
 * closed; unlinking a meter removes its connection and events.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEncryptionKey, parseKeyring } from '../../../src/auth/vault.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { deleteDevice, insertDevice } from '../../../src/db/devices.js';
import { recentP1Events, saveP1Batch } from '../../../src/db/p1Batches.js';
import { insertP1Meter, listP1Meters, loadP1Connection } from '../../../src/db/p1Meters.js';
import { rotateKeys } from '../../../src/link/rotateKeys.js';
import { emptyAccumulatorState } from '../../../src/providers/p1/index.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';

const KEY_A = randomBytes(32).toString('hex');
const KEY_B = randomBytes(32).toString('hex');

describe.each(ENGINES)('P1 meter store (%s)', (engine) => {
  let t: TestDatabase;
  let buildingId = '';
  const deviceId = randomUUID();

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    buildingId = (await addBuilding(t.db, 'Residentie Schelde', 'Europe/Brussels')).id;
    await insertDevice(t.db, { id: deviceId, buildingId, prm: '1SAG1100042718', provider: 'p1' });
    await insertP1Meter(
      t.db,
      {
        deviceId,
        connection: {
          kind: 'mqtt',
          url: 'mqtt://192.168.1.10:1883',
          topic: 'dsmr/raw',
          username: 'syndic',
          password: 's3cret-broker-pass',
        },
        header: 'FLU5\\253769484_A',
      },
      parseEncryptionKey(KEY_A),
    );
  });
  afterAll(async () => t?.close());

  it('keeps the broker password sealed and opens it with the key', async () => {
    const raw = await t.db.query('SELECT * FROM p1_meters');
    expect(JSON.stringify(raw.rows)).not.toContain('s3cret-broker-pass');
    expect(JSON.stringify(raw.rows)).not.toContain('syndic');
    const [row] = await listP1Meters(t.db);
    expect(row).toMatchObject({ prm: '1SAG1100042718', transport: 'mqtt', has_credentials: true });
    expect(await loadP1Connection(t.db, row!, () => parseKeyring(KEY_A))).toEqual({
      kind: 'mqtt',
      url: 'mqtt://192.168.1.10:1883',
      topic: 'dsmr/raw',
      username: 'syndic',
      password: 's3cret-broker-pass',
    });
  });

  it('re-seals the broker credentials in a key rotation', async () => {
    const r = await rotateKeys(t.db, () => parseKeyring(KEY_A), parseEncryptionKey(KEY_B));
    expect(r).toMatchObject({ devices: 1, resealed: 1 });
    const [row] = await listP1Meters(t.db);
    const c = await loadP1Connection(t.db, row!, () => parseKeyring(KEY_B));
    expect(c).toMatchObject({ password: 's3cret-broker-pass' });
    await expect(loadP1Connection(t.db, row!, () => parseKeyring(KEY_A))).rejects.toThrow();
  });

  it('adds rejected telegrams up by reason and opens then closes a quiet period', async () => {
    const base = {
      deviceId,
      buildingId,
      deviceRef: '1SAG1100042718',
      readings: [],
      peaks: [],
      state: emptyAccumulatorState(),
      lastTelegramAt: null,
      lastArrivalAt: null,
    };
    const since = new Date('2026-11-30T10:00:00Z');
    await saveP1Batch(t.db, {
      ...base,
      acceptedDelta: 10,
      rejected: { crc_mismatch: 2 },
      events: [{ kind: 'quiet', from: since, to: null, detail: {} }],
      quietSince: since,
    });
    let [row] = await listP1Meters(t.db);
    expect(row?.quiet_since?.getTime()).toBe(since.getTime());
    await saveP1Batch(t.db, {
      ...base,
      acceptedDelta: 5,
      rejected: { crc_mismatch: 1, no_end: 4 },
      events: [{ kind: 'quiet', from: since, to: new Date('2026-11-30T10:20:00Z'), detail: {} }],
      quietSince: false,
    });
    [row] = await listP1Meters(t.db);
    expect(row).toMatchObject({
      telegrams_accepted: 15,
      telegrams_rejected: { crc_mismatch: 3, no_end: 4 },
      quiet_since: null,
    });
    const events = await recentP1Events(t.db, deviceId);
    expect(events).toEqual([
      { kind: 'quiet', from: since, to: new Date('2026-11-30T10:20:00Z'), detail: {} },
    ]);
  });

  it('forgets the connection and events with the meter', async () => {
    await deleteDevice(t.db, deviceId);
    expect(await listP1Meters(t.db)).toEqual([]);
    expect(await recentP1Events(t.db, deviceId)).toEqual([]);
  });
});
