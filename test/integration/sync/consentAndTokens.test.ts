/**
 * A revoked consent marks the device and stops its calls while the others go on; an ORES
 * access token expiring mid-backfill is refreshed once, and the rotated refresh token is
 * stored sealed and works on the next run.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseKeyring } from '../../../src/auth/vault.js';
import { getDevice, loadDeviceTokens } from '../../../src/db/devices.js';
import type { SyncDevice } from '../../../src/db/syncState.js';
import { createOresProvider } from '../../../src/providers/ores.js';
import { isProviderCallError } from '../../../src/providers/errors.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';
import { syncDevices } from '../../../src/sync/syncDevices.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import {
  expectedRows,
  historyRange,
  KEY,
  makeSyncEnv,
  NOW,
  newBuilding,
  registerMeters,
  startTestSimulator,
  storedRows,
  syncConfig,
  syncRuns,
} from './helpers.js';

describe.each(ENGINES)('consent and tokens (%s database)', (engine) => {
  let t: TestDatabase;
  const sims: Simulator[] = [];

  // Each test has its own database: none depends on what another left.
  beforeEach(async () => {
    t = await openTestDatabase(engine);
  });
  afterEach(async () => {
    await t?.close();
  });
  afterAll(async () => {
    for (const s of sims) await s.close();
  });

  it('marks a device whose consent was revoked, calls it no more, and syncs the others', async () => {
    const sim = await startTestSimulator({ quotas: { oresMinIntervalMs: 0 } });
    sims.push(sim);
    const meters = [...sim.createMeters('enedis', 3), ...sim.createMeters('ores', 2)];
    const devices = await registerMeters(t.db, sim, await newBuilding(t.db), meters);
    const ids = devices.map((d) => d.id);
    const config = syncConfig(sim, { historyDays: 7 });
    const first = await syncDevices(
      makeSyncEnv(t.db, config),
      { dueOnly: false, deviceIds: ids },
      { now: NOW },
    );
    expect(first.map((r) => r.status)).toEqual(ids.map(() => 'success'));

    const [enedisGone, oresGone] = [meters[1]!, meters[4]!];
    expect(sim.revokeConsent(enedisGone.prm)).toBe(true);
    expect(sim.revokeConsent(oresGone.prm)).toBe(true);
    const lost: string[] = [];
    const onConsentLost = async (d: SyncDevice) => {
      lost.push(d.prm);
    };
    const second = await syncDevices(
      makeSyncEnv(t.db, config, { onConsentLost }),
      { dueOnly: false, deviceIds: ids },
      { now: NOW },
    );
    const byPrm = new Map(second.map((r) => [r.prm, r]));
    for (const gone of [enedisGone, oresGone]) {
      expect(byPrm.get(gone.prm)?.status).toBe('failed');
      expect(byPrm.get(gone.prm)?.error?.class).toBe('consent_invalid');
      const d = await getDevice(t.db, gone.prm);
      expect(d?.status).toBe('consent_revoked');
      expect(d?.status_message).toMatch(/link/);
      const run = (await syncRuns(t.db, gone.prm)).at(-1);
      expect([run?.status, run?.error_class]).toEqual(['failed', 'consent_invalid']);
    }
    expect(lost.sort()).toEqual([enedisGone.prm, oresGone.prm].sort());
    for (const m of meters.filter((x) => x !== enedisGone && x !== oresGone))
      expect(byPrm.get(m.prm)?.status).toBe('success');

    // Next sync: nothing is asked for the revoked meters.
    sim.resetStats();
    const asked: string[] = [];
    const spy: typeof fetch = (input, init) => {
      asked.push(String(input));
      return fetch(input, init);
    };
    const third = await syncDevices(
      makeSyncEnv(t.db, config, { fetch: spy }),
      { dueOnly: false, deviceIds: ids },
      { now: NOW },
    );
    expect(third.map((r) => r.prm).sort()).toEqual(
      meters
        .filter((x) => x !== enedisGone && x !== oresGone)
        .map((m) => m.prm)
        .sort(),
    );
    expect(third.every((r) => r.status === 'success')).toBe(true);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((u) => u.includes(enedisGone.prm) || u.includes(oresGone.prm))).toEqual([]);
    const st = sim.stats();
    expect(st.statuses['403']).toBeUndefined();
    expect(st.calls['/oauth/token']).toBeUndefined();
  });

  it('refreshes an ORES access token that expires mid-backfill once, and stores the rotated refresh token sealed', async () => {
    // The provider's clock moves 8 s per load-curve call: its 60-second access token dies
    // during the eighth window of a 56-day backfill, whatever the speed of the machine.
    let clockMs = NOW.getTime();
    const sim = await startSimulator({
      port: 0,
      seed: 5,
      now: () => new Date(clockMs),
      tokenTtlSeconds: { ores: 60 },
      quotas: { oresMinIntervalMs: 0 },
    });
    sims.push(sim);
    const ticking: typeof fetch = (input, init) => {
      if (String(input).includes('load_curve')) clockMs += 8000;
      return fetch(input, init);
    };
    const meter = sim.createMeters('ores', 1)[0]!;
    const [device] = await registerMeters(
      t.db,
      sim,
      await newBuilding(t.db, 'Europe/Brussels'),
      [meter],
      { oresTokenTtlMs: 60_000 },
    );
    const keyring = parseKeyring(KEY, undefined);
    const before = await loadDeviceTokens(t.db, device!, keyring);
    const config = syncConfig(sim, { historyDays: 56 });

    const res = await syncDevices(
      makeSyncEnv(t.db, config, { fetch: ticking }),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(res.map((r) => r.status)).toEqual(['success']);
    expect(sim.stats().calls['/oauth/token']).toBe(1);
    const { fromDay, toDay } = historyRange(56);
    const rows = await storedRows(t.db, [meter.prm]);
    expect(rows.map((r) => r.ts)).toEqual(
      expectedRows(meter, fromDay, toDay, 'Europe/Brussels').map((r) => r.ts),
    );

    const after = await loadDeviceTokens(t.db, device!, keyring);
    expect(after.refreshToken).toBeTruthy();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    const raw = (
      await t.db.query<Record<string, string | null>>(
        'SELECT api_key_encrypted, refresh_token_encrypted FROM linky_devices WHERE id = $1',
        [device!.id],
      )
    ).rows[0]!;
    expect(raw.refresh_token_encrypted).toMatch(/^v1\./);
    expect(raw.refresh_token_encrypted).not.toContain(after.refreshToken!);
    expect(raw.api_key_encrypted).not.toContain(after.accessToken!);

    // The old refresh token was rotated away: the provider refuses it.
    const ores = createOresProvider(config.providers.ores);
    const old = await ores
      .refreshTokens({ refreshToken: before.refreshToken! })
      .catch((e: unknown) => e);
    expect(isProviderCallError(old) && old.kind).toBe('consent_invalid');

    // Next run, once the refreshed access token has expired too: the stored refresh token works.
    clockMs += 120_000;
    sim.resetStats();
    const next = await syncDevices(
      makeSyncEnv(t.db, config, { fetch: ticking }),
      { dueOnly: false, deviceIds: [device!.id] },
      { now: NOW },
    );
    expect(next.map((r) => r.status)).toEqual(['success']);
    expect(sim.stats().calls['/oauth/token']).toBe(1);
    expect(sim.stats().statuses['400']).toBeUndefined();
    const runs = await syncRuns(t.db, meter.prm);
    expect(runs.map((r) => [r.status, r.error_class])).toEqual([
      ['success', null],
      ['success', null],
    ]);
  });
});
