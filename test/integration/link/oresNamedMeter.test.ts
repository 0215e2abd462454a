/**
 * Linking an ORES meter whose token answer does not name the meter (the documented shape):
 * the PRM the user gives links it, and ORES' first data answer must be about that meter.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { listDevices } from '../../../src/db/devices.js';
import type { Database } from '../../../src/db/types.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { AuthError } from '../../../src/domain/errors.js';
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
    await addBuilding(db, 'Résidence Les Tilleuls', 'Europe/Brussels');
    sim = await startTestSimulator();
  });

  afterEach(async () => {
    await sim?.close();
    await t?.close();
  });

  /** A fetch that records every token answer's body as the client received it. */
  function recordingTokenAnswers(): { fetch: typeof fetch; answers: Record<string, unknown>[] } {
    const answers: Record<string, unknown>[] = [];
    return {
      answers,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (String(input).includes('/oauth/token'))
          answers.push((await res.clone().json()) as Record<string, unknown>);
        return res;
      },
    };
  }

  function options(over: Partial<LinkMeterOptions> = {}): LinkMeterOptions {
    return {
      provider: 'ores',
      building: 'Résidence Les Tilleuls',
      timeoutMs: 10_000,
      openUrl: followRedirects,
      log: captureLogger().log,
      providerDeps: { now: () => NOW },
      ...over,
    };
  }

  describe('link --provider ores --prm, with a token answer that names no meter', () => {
    it('links the meter the user names and checks it against the first data answer', async () => {
      const meter = sim.createMeters('ores', 1)[0]!;
      const spy = recordingTokenAnswers();
      let consentUrl = '';
      sim.resetStats();
      const device = await linkMeter(
        db,
        simConfig(sim),
        options({
          prm: meter.prm,
          providerDeps: { now: () => NOW, fetch: spy.fetch },
          openUrl: async (url) => {
            consentUrl = url;
            await followRedirects(url);
          },
        }),
      );
      expect(new URL(consentUrl).searchParams.get('prm')).toBe(meter.prm);
      expect(spy.answers).toHaveLength(1);
      expect(spy.answers[0]).toHaveProperty('access_token');
      expect(spy.answers[0]).not.toHaveProperty('usage_point_id');
      expect(device.prm).toBe(meter.prm);
      expect(device.has_tokens).toBe(true);
      expect(sim.stats().calls['/v1/consumption_load_curve']).toBe(1);
    });

    it('stores nothing when the consent covers another meter than the one named', async () => {
      // Not a meter of this customer at ORES: the consent page gives another of theirs.
      const named = '541448000000000999';
      expect(sim.meters().some((m) => m.prm === named)).toBe(false);
      const before = (await listDevices(db)).length;
      const err = await linkMeter(db, simConfig(sim), options({ prm: named })).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AuthError);
      expect((err as Error).message).toMatch(
        /consent given at ORES covers another meter, not 541448000000000999; nothing was stored/,
      );
      expect((await listDevices(db)).length).toBe(before);
    });

    it('asks for --prm when neither the user nor ORES names the meter', async () => {
      // An ORES server that leaves the meter out even when the request did not name it.
      const documentedOnly: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        if (!String(input).includes('/oauth/token') || res.status !== 200) return res;
        const { usage_point_id: _dropped, ...body } = (await res.json()) as Record<string, unknown>;
        return new Response(JSON.stringify(body), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      };
      const before = (await listDevices(db)).length;
      const err = await linkMeter(
        db,
        simConfig(sim),
        options({ providerDeps: { now: () => NOW, fetch: documentedOnly } }),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).message).toMatch(/did not say which meter/);
      expect((err as AuthError).hint).toMatch(/--prm/);
      expect((await listDevices(db)).length).toBe(before);
    });
  });
});
