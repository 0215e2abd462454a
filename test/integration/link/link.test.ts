import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addBuilding } from '../../../src/db/buildings.js';
import { listDevices } from '../../../src/db/devices.js';
import type { Database } from '../../../src/db/types.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { AuthError, ConfigError, ConflictError, UsageError } from '../../../src/domain/errors.js';
import { linkMeter, type LinkMeterOptions } from '../../../src/link/linkMeter.js';
import type { Simulator } from '../../../src/simulator/server.js';
import {
  captureLogger,
  followRedirects,
  NOW,
  portClosed,
  redirectUriOf,
  simConfig,
  startTestSimulator,
} from './helpers.js';

// Each test gets its own database and simulator, so none depends on another's rows.
describe.each(ENGINES)('%s database', (engine) => {
  let t: TestDatabase;
  let db: Database;
  let sim: Simulator;

  beforeEach(async () => {
    t = await openTestDatabase(engine);
    db = t.db;
    await addBuilding(db, 'Résidence Les Tilleuls', 'Europe/Brussels');
    await addBuilding(db, 'Maison Haute', 'Europe/Paris');
    sim = await startTestSimulator();
  });

  afterEach(async () => {
    await sim?.close();
    await t?.close();
  });

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

  async function deviceCount(): Promise<number> {
    return (await listDevices(db)).length;
  }

  describe('link: the consent flow against the simulator', () => {
    it('links an ORES meter with PKCE and stores its tokens sealed', async () => {
      let consentUrl = '';
      const device = await linkMeter(
        db,
        simConfig(sim),
        options({
          openUrl: async (url) => {
            consentUrl = url;
            await followRedirects(url);
          },
        }),
      );
      const q = new URL(consentUrl).searchParams;
      expect(q.get('code_challenge_method')).toBe('S256');
      expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      expect(device.provider).toBe('ores');
      expect(device.building_name).toBe('Résidence Les Tilleuls');
      expect(device.has_tokens).toBe(true);
      expect(device.status).toBe('active');
      // The meter the simulator's consent created is the one stored.
      const simMeter = sim.meters().find((m) => m.prm === device.prm);
      expect(simMeter?.provider).toBe('ores');
      expect(device.token_expires_at?.getTime()).toBe(NOW.getTime() + 3600 * 1000);
    });

    it('links an Enedis meter through a v2 autorisation_id and subscribed_services, without any key', async () => {
      const device = await linkMeter(
        db,
        simConfig(sim, { IOT_ENCRYPTION_KEY: undefined }),
        options({ provider: 'enedis', building: 'Maison Haute' }),
      );
      expect(device.prm).toMatch(/^\d{14}$/);
      expect(device.has_tokens).toBe(false);
      const summary = (await (await fetch(`${sim.url}/_sim/meters`)).json()) as Array<{
        prm: string;
        autorisationId?: number;
      }>;
      const simMeter = summary.find((m) => m.prm === device.prm);
      expect(device.authorization_id).toBe(String(simMeter?.autorisationId));
      // dateFin one year after the simulated today, as a local (Paris) midnight.
      expect(device.consent_expires_at?.toISOString()).toBe('2027-11-23T23:00:00.000Z');
    });

    it('links an Enedis meter through a v1 usage_point_id', async () => {
      const device = await linkMeter(
        db,
        simConfig(sim, {}, { providers: { enedis: { consentVersion: 'v1' } } }),
        options({ provider: 'enedis', building: 'Maison Haute' }),
      );
      expect(sim.meters().some((m) => m.prm === device.prm)).toBe(true);
      expect(device.authorization_id).toBeNull();
      // v1 tells no end date: the duration asked for (P1Y) from now.
      expect(device.consent_expires_at?.toISOString()).toBe('2027-11-24T12:00:00.000Z');
    });

    it('goes through an HTTPS relay page, with the loopback port carried in the state', async () => {
      const relay = 'https://relay.example.org/koprogo-iot/relay.html';
      const device = await linkMeter(
        db,
        simConfig(sim, {}, { providers: { enedis: { redirectUri: relay } } }),
        options({
          provider: 'enedis',
          building: 'Maison Haute',
          openUrl: async (url) => {
            expect(redirectUriOf(url)).toBe(relay);
            const res = await fetch(url, { redirect: 'manual' });
            const location = new URL(res.headers.get('location') ?? '');
            expect(`${location.origin}${location.pathname}`).toBe(relay);
            // What docs/relay.html does in the browser: read the port, forward the query.
            const port = /\.(\d+)$/.exec(location.searchParams.get('state') ?? '')?.[1];
            await followRedirects(`http://127.0.0.1:${port}/callback${location.search}`);
          },
        }),
      );
      expect(device.provider).toBe('enedis');
    });
  });

  describe('link: refusals and failures store nothing', () => {
    it('reports a refused consent as an AuthError', async () => {
      const before = await deviceCount();
      sim.setConsent('deny');
      try {
        await expect(linkMeter(db, simConfig(sim), options())).rejects.toThrow(AuthError);
        await expect(linkMeter(db, simConfig(sim), options())).rejects.toThrow(/refused/);
      } finally {
        sim.setConsent('approve');
      }
      expect(await deviceCount()).toBe(before);
    });

    it('rejects an answer with a forged state', async () => {
      const before = await deviceCount();
      const attempt = linkMeter(
        db,
        simConfig(sim),
        options({
          openUrl: async (url) => {
            await followRedirects(`${redirectUriOf(url)}?code=stolen&state=forged-state-value`);
          },
        }),
      );
      await expect(attempt).rejects.toThrow(AuthError);
      await expect(attempt).rejects.toThrow(/state/);
      expect(await deviceCount()).toBe(before);
    });

    it('times out when the browser never answers, and closes the listener', async () => {
      let port = 0;
      const attempt = linkMeter(
        db,
        simConfig(sim),
        options({
          timeoutMs: 300,
          openUrl: async (url) => {
            port = Number(new URL(redirectUriOf(url)).port);
          },
        }),
      );
      await expect(attempt).rejects.toThrow(AuthError);
      await expect(attempt).rejects.toThrow(/no answer from the browser/);
      expect(port).toBeGreaterThan(0);
      expect(await portClosed(port)).toBe(true);
    });

    it('refuses a second link of the same PRM before anything is sent', async () => {
      await linkMeter(db, simConfig(sim), options());
      const [existing] = await listDevices(db);
      expect(existing).toBeDefined();
      let opened = false;
      const attempt = linkMeter(
        db,
        simConfig(sim),
        options({
          provider: existing!.provider,
          prm: existing!.prm,
          building: 'Maison Haute',
          openUrl: async () => {
            opened = true;
          },
        }),
      );
      await expect(attempt).rejects.toThrow(ConflictError);
      await expect(attempt).rejects.toThrow(
        `meter ${existing!.prm} is already linked to building "${existing!.building_name}"`,
      );
      expect(opened).toBe(false);
    });

    it('refuses a consent for another meter than --prm', async () => {
      const before = await deviceCount();
      const attempt = linkMeter(db, simConfig(sim), options({ prm: '541448000000000001' }));
      await expect(attempt).rejects.toThrow(AuthError);
      await expect(attempt).rejects.toThrow(/not 541448000000000001/);
      expect(await deviceCount()).toBe(before);
    });

    it('validates the PRM before anything is sent', async () => {
      let opened = false;
      const openUrl = async () => {
        opened = true;
      };
      await expect(
        linkMeter(db, simConfig(sim), options({ provider: 'enedis', prm: '1234', openUrl })),
      ).rejects.toThrow(UsageError);
      await expect(
        linkMeter(
          db,
          simConfig(sim),
          options({ provider: 'enedis', prm: '12345678901234567', openUrl }),
        ),
      ).rejects.toThrow(/14 digits for Enedis/);
      expect(opened).toBe(false);
    });

    it('needs a valid IOT_ENCRYPTION_KEY for ORES before anything is sent', async () => {
      const before = await deviceCount();
      let opened = false;
      const openUrl = async () => {
        opened = true;
      };
      const missing = linkMeter(
        db,
        simConfig(sim, { IOT_ENCRYPTION_KEY: undefined }),
        options({ openUrl }),
      );
      await expect(missing).rejects.toThrow(ConfigError);
      await expect(missing).rejects.toThrow(/IOT_ENCRYPTION_KEY is not set/);
      const malformed = linkMeter(
        db,
        simConfig(sim, { IOT_ENCRYPTION_KEY: 'abc123' }),
        options({ openUrl }),
      );
      await expect(malformed).rejects.toThrow(ConfigError);
      await expect(malformed).rejects.toThrow(/64 hexadecimal characters/);
      expect(opened).toBe(false);
      expect(await deviceCount()).toBe(before);
    });
  });
});
