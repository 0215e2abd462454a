import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acknowledgeAnomaly,
  findAnomaly,
  listAnomalies,
  storeAnomalies,
} from '../../../src/db/anomalies.js';
import { NotFoundError, UsageError } from '../../../src/domain/errors.js';
import {
  openTestDatabase,
  resetAlerts,
  sampleAnomaly,
  targets,
  testBuilding,
  type TestDatabase,
} from './helpers.js';

describe.each(targets())('stored anomalies (%s database)', (target) => {
  let t: TestDatabase;
  let buildingId: string;

  beforeAll(async () => {
    t = await openTestDatabase(target);
    buildingId = await testBuilding(t.db);
  }, 60_000);
  afterAll(async () => t?.close());
  beforeEach(async () => resetAlerts(t.db));

  const night = () =>
    sampleAnomaly(buildingId, {
      kind: 'night_baseload',
      start: new Date('2025-02-24T00:00:00Z'),
      end: new Date('2025-03-02T04:00:00Z'),
      value: 0.2,
      baseline: 0.1,
      variancePercent: 100,
      severity: 'major',
      message: 'Talon de consommation nocturne 100% supérieur aux semaines précédentes',
    });

  it('stores the same anomalies once, however often detection runs', async () => {
    const rows = [sampleAnomaly(buildingId), night()];
    const first = await t.db.transaction((tx) => storeAnomalies(tx, rows));
    expect(first.map((a) => a.kind)).toEqual(['spike', 'night_baseload']);
    expect(first[0]?.id).toMatch(/^[0-9a-f-]{36}$/);

    const second = await t.db.transaction((tx) => storeAnomalies(tx, rows));
    expect(second).toEqual([]);
    // A duplicate inside one batch is stored once as well.
    const spikeLater = sampleAnomaly(buildingId, { start: new Date('2025-02-20T09:00:00Z') });
    const third = await t.db.transaction((tx) => storeAnomalies(tx, [spikeLater, spikeLater]));
    expect(third).toHaveLength(1);

    const all = await listAnomalies(t.db, { buildingId });
    expect(all).toHaveLength(3);
    // The same start under the other method is another anomaly.
    const ma = await t.db.transaction((tx) =>
      storeAnomalies(tx, [sampleAnomaly(buildingId, { method: 'moving-average' })]),
    );
    expect(ma).toHaveLength(1);
  });

  it('lists by window and method, oldest first, leaving acknowledged ones out', async () => {
    const stored = await t.db.transaction((tx) =>
      storeAnomalies(tx, [night(), sampleAnomaly(buildingId)]),
    );
    const [spike, baseload] = stored;
    expect(spike?.kind).toBe('spike');
    expect(spike?.value).toBeCloseTo(1.2);
    expect(spike?.start).toEqual(new Date('2025-02-19T09:00:00Z'));

    const feb24on = await listAnomalies(t.db, {
      buildingId,
      from: new Date('2025-02-25T00:00:00Z'),
    });
    expect(feb24on.map((a) => a.kind)).toEqual(['night_baseload']);
    const beforeFeb20 = await listAnomalies(t.db, {
      buildingId,
      to: new Date('2025-02-20T00:00:00Z'),
    });
    expect(beforeFeb20.map((a) => a.kind)).toEqual(['spike']);
    expect(await listAnomalies(t.db, { buildingId, method: 'moving-average' })).toEqual([]);

    await acknowledgeAnomaly(t.db, baseload!.id, 'syndic');
    expect((await listAnomalies(t.db, { buildingId })).map((a) => a.kind)).toEqual(['spike']);
    const withAck = await listAnomalies(t.db, { buildingId, includeAcknowledged: true });
    expect(withAck).toHaveLength(2);
    expect(withAck[1]?.acknowledgedBy).toBe('syndic');
    expect(withAck[1]?.acknowledgedAt).toBeInstanceOf(Date);
  });

  it('acknowledges by a unique id prefix, once, and says when the id is unknown', async () => {
    const [a] = await t.db.transaction((tx) => storeAnomalies(tx, [sampleAnomaly(buildingId)]));
    const prefix = a!.id.slice(0, 8).toUpperCase();

    const first = await acknowledgeAnomaly(t.db, prefix, 'alice');
    expect(first.alreadyAcknowledged).toBe(false);
    expect(first.anomaly.id).toBe(a!.id);
    expect(first.anomaly.acknowledgedBy).toBe('alice');

    const again = await acknowledgeAnomaly(t.db, a!.id, 'bob');
    expect(again.alreadyAcknowledged).toBe(true);
    expect(again.anomaly.acknowledgedBy).toBe('alice');

    const unknown = a!.id.startsWith('0') ? 'ffffffff' : '00000000';
    await expect(acknowledgeAnomaly(t.db, unknown)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      acknowledgeAnomaly(t.db, '00000000-0000-4000-8000-000000000000'),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(findAnomaly(t.db, a!.id.slice(0, 6))).rejects.toBeInstanceOf(UsageError);
    await expect(findAnomaly(t.db, 'not-an-id')).rejects.toThrow(/not an anomaly id/);
  });
});
