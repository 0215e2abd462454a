import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { getDevice } from '../../../src/db/devices.js';
import type { Database } from '../../../src/db/types.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { ConflictError } from '../../../src/domain/errors.js';
import { linkMeter, type LinkMeterOptions } from '../../../src/link/linkMeter.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { captureLogger, followRedirects, NOW, simConfig, startTestSimulator } from './helpers.js';

// Each test gets its own database and simulator, so none depends on another's rows.
describe.each(ENGINES)('%s database', (engine) => {
  let t: TestDatabase;
  let db: Database;
  let sim: Simulator;

  beforeEach(async () => {
    t = await openTestDatabase(engine);
    db = t.db;
    await addBuilding(db, 'Résidence Les Tilleuls', 'Europe/Paris');
    await addBuilding(db, 'Maison Haute', 'Europe/Paris');
    sim = await startTestSimulator();
  });
  afterEach(async () => {
    await sim?.close();
    await t?.close();
  });

  function options(over: Partial<LinkMeterOptions> = {}): LinkMeterOptions {
    return {
      provider: 'enedis',
      building: 'Résidence Les Tilleuls',
      timeoutMs: 10_000,
      openUrl: followRedirects,
      log: captureLogger().log,
      providerDeps: { now: () => NOW },
      ...over,
    };
  }

  /** The customer consents again for the same meter (the simulator's `prm` hint). */
  const consentFor = (prm: string) => (url: string) => followRedirects(`${url}&prm=${prm}`);

  describe('linking a meter again after its consent ended', () => {
    it('updates the row in place, keeping its checkpoint, and makes it active again', async () => {
      const first = await linkMeter(db, simConfig(sim), options());
      const checkpoint = new Date('2026-11-20T23:00:00Z');
      await db.query(
        `UPDATE linky_devices SET status = 'consent_revoked', status_message = 'gone', checkpoint_at = $2 WHERE id = $1`,
        [first.id, checkpoint.toISOString()],
      );
      sim.revokeConsent(first.prm);

      const again = await linkMeter(
        db,
        simConfig(sim),
        options({ prm: first.prm, openUrl: consentFor(first.prm) }),
      );
      expect(again.id).toBe(first.id);
      expect(again.status).toBe('active');
      expect(again.status_message).toBeNull();
      expect(new Date(again.checkpoint_at as Date).toISOString()).toBe(checkpoint.toISOString());
      expect(again.authorization_id).not.toBe(first.authorization_id);
    });

    it('still refuses a meter that is active, or linked to another building (409)', async () => {
      const active = await linkMeter(db, simConfig(sim), options());
      await expect(
        linkMeter(
          db,
          simConfig(sim),
          options({ prm: active.prm, openUrl: consentFor(active.prm) }),
        ),
      ).rejects.toBeInstanceOf(ConflictError);
      await db.query(`UPDATE linky_devices SET status = 'consent_expired' WHERE id = $1`, [
        active.id,
      ]);
      await expect(
        linkMeter(
          db,
          simConfig(sim),
          options({ building: 'Maison Haute', prm: active.prm, openUrl: consentFor(active.prm) }),
        ),
      ).rejects.toThrow(/already linked to building "Résidence Les Tilleuls"/);
      expect((await getDevice(db, active.prm))?.status).toBe('consent_expired');
    });
  });
});
