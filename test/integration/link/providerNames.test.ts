/**
 * Provider names are checked by the code's registry, not by the schema: a future provider
 * and its longer meter ids need no migration, and an unknown name is refused before link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { addBuilding } from '../../../src/db/buildings.js';
import { insertDevice, listDevices } from '../../../src/db/devices.js';
import { UsageError } from '../../../src/domain/errors.js';
import { linkMeter } from '../../../src/link/linkMeter.js';
import type { ProviderName } from '../../../src/providers/names.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { captureLogger, simConfig, startTestSimulator } from './helpers.js';

describe.each(ENGINES)('provider names in the schema (%s)', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;
  let buildingId: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator();
    buildingId = (await addBuilding(t.db, 'Résidence Cerisier', 'Europe/Brussels')).id;
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  it('stores a meter of a provider the schema does not list, with a long equipment id', async () => {
    // A Fluvius P1 equipment id (0-0:96.1.1) is hex-encoded ASCII: 34 characters here.
    const equipmentId = '3153414733313031313231383938353433';
    await insertDevice(t.db, {
      id: randomUUID(),
      buildingId,
      prm: equipmentId,
      provider: 'p1' as ProviderName,
    });
    const stored = (await listDevices(t.db)).find((d) => d.prm === equipmentId);
    expect(stored?.provider).toBe('p1');
  });

  it('refuses an unknown provider before anything is sent', async () => {
    let opened = false;
    const err = await linkMeter(t.db, simConfig(sim), {
      provider: 'fluvius' as ProviderName,
      building: 'Résidence Cerisier',
      openUrl: async () => {
        opened = true;
      },
      log: captureLogger().log,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      'unknown provider "fluvius": this version knows enedis, ores, p1',
    );
    expect(opened).toBe(false);
  });
});
