/**
 * ORES token refresh outside any transaction: the device row carries a "refreshing" marker
 * while ORES answers, the rotated refresh token is stored before it is used, and a failure
 * after that store loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring } from '../../../src/auth/vault.js';
import { loadDeviceTokens } from '../../../src/db/devices.js';
import { tokenRefreshHolder } from '../../../src/db/tokenRefresh.js';
import { sealingKey } from '../../../src/link/keyring.js';
import { isProviderCallError } from '../../../src/providers/errors.js';
import { createOresProvider } from '../../../src/providers/ores.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { refreshDeviceTokens, type TokenRefreshContext } from '../../../src/sync/tokens.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { KEY, newBuilding, registerMeters, startTestSimulator, syncConfig } from './helpers.js';

const keys = { keyring: parseKeyring(KEY, undefined), key: sealingKey(KEY) };

describe.each(ENGINES)('ORES token refresh (%s)', (engine) => {
  let t: TestDatabase;
  let sim: Simulator;

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    sim = await startTestSimulator({ quotas: { oresMinIntervalMs: 0 } });
  });
  afterAll(async () => {
    await sim?.close();
    await t?.close();
  });

  async function oresMeter() {
    const meter = sim.createMeters('ores', 1)[0]!;
    const [device] = await registerMeters(t.db, sim, await newBuilding(t.db), [meter]);
    return device!;
  }

  function context(
    deviceId: string,
    owner: string,
    extra: Partial<TokenRefreshContext> & { fetch?: typeof fetch } = {},
  ): TokenRefreshContext {
    const { fetch: f, ...rest } = extra;
    return {
      db: t.db,
      provider: createOresProvider(syncConfig(sim).providers.ores, f ? { fetch: f } : {}),
      deviceId,
      owner,
      keys,
      now: () => new Date(),
      pollMs: 10,
      ...rest,
    };
  }

  it('keeps the rotated refresh token when the work after its store fails', async () => {
    const device = await oresMeter();
    const before = await loadDeviceTokens(t.db, device, keys.keyring);
    const failing = context(device.id, 'sync:a', {
      afterStore: async () => {
        throw new Error('the window transaction failed to commit');
      },
    });
    await expect(refreshDeviceTokens(failing, before)).rejects.toThrow(/failed to commit/);

    const stored = await loadDeviceTokens(t.db, device, keys.keyring);
    expect(stored.refreshToken).toBeTruthy();
    expect(stored.refreshToken).not.toBe(before.refreshToken);
    expect(await tokenRefreshHolder(t.db, device.id)).toBeNull();
    // ORES rotated the old token away; the stored one is the grant that still works.
    const ores = createOresProvider(syncConfig(sim).providers.ores);
    const old = await ores.refreshTokens(before).catch((e: unknown) => e);
    expect(isProviderCallError(old) && old.kind).toBe('consent_invalid');
    const again = await ores.refreshTokens(stored);
    expect(again.accessToken).toBeTruthy();
  });

  it('holds no transaction while ORES answers, and marks the device as being refreshed', async () => {
    const device = await oresMeter();
    const before = await loadDeviceTokens(t.db, device, keys.keyring);
    const seen: (string | null)[] = [];
    const probing: typeof fetch = async (input, init) => {
      if (String(input).includes('/oauth/token')) {
        // On the embedded database a transaction open around this call would block these.
        const holder = await tokenRefreshHolder(t.db, device.id);
        seen.push(holder?.owner ?? null);
        await t.db.transaction(async (tx) => tx.query('SELECT 1'));
      }
      return fetch(input, init);
    };
    const fresh = await refreshDeviceTokens(
      context(device.id, 'sync:probe', { fetch: probing }),
      before,
    );
    expect(seen).toEqual(['sync:probe']);
    expect(fresh.accessToken).not.toBe(before.accessToken);
    expect((await loadDeviceTokens(t.db, device, keys.keyring)).accessToken).toBe(
      fresh.accessToken,
    );
    expect(await tokenRefreshHolder(t.db, device.id)).toBeNull();
  });

  it('lets a second process use the first one’s refresh instead of refreshing again', async () => {
    const device = await oresMeter();
    const before = await loadDeviceTokens(t.db, device, keys.keyring);
    sim.resetStats();
    const [a, b] = await Promise.all([
      refreshDeviceTokens(context(device.id, 'daemon:a'), before),
      refreshDeviceTokens(context(device.id, 'daemon:b'), before),
    ]);
    expect(a.accessToken).toBe(b.accessToken);
    expect(a.refreshToken).toBe(b.refreshToken);
    expect(sim.stats().calls['/oauth/token']).toBe(1);
  });

  it('takes over the marker of a process that died mid-refresh', async () => {
    const device = await oresMeter();
    const before = await loadDeviceTokens(t.db, device, keys.keyring);
    await t.db.query(
      `UPDATE linky_devices SET token_refresh_owner = 'daemon:dead',
              token_refresh_started_at = now() - interval '1 hour' WHERE id = $1`,
      [device.id],
    );
    const fresh = await refreshDeviceTokens(
      context(device.id, 'daemon:alive', { staleSeconds: 60 }),
      before,
    );
    expect(fresh.accessToken).not.toBe(before.accessToken);
    expect(await tokenRefreshHolder(t.db, device.id)).toBeNull();
  });

  it('gives up this turn while a live process holds the marker', async () => {
    const device = await oresMeter();
    const before = await loadDeviceTokens(t.db, device, keys.keyring);
    await t.db.query(
      `UPDATE linky_devices SET token_refresh_owner = 'daemon:busy',
              token_refresh_started_at = now() WHERE id = $1`,
      [device.id],
    );
    const err = await refreshDeviceTokens(
      context(device.id, 'daemon:other', { waitMs: 100 }),
      before,
    ).catch((e: unknown) => e);
    expect(isProviderCallError(err) && err.kind).toBe('transient');
    expect((await tokenRefreshHolder(t.db, device.id))?.owner).toBe('daemon:busy');
    expect((await loadDeviceTokens(t.db, device, keys.keyring)).refreshToken).toBe(
      before.refreshToken,
    );
  });
});
