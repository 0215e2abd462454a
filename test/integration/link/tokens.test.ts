import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEncryptionKey, parseKeyring } from '../../../src/auth/vault.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { getDevice, loadDeviceTokens, type DeviceWithBuilding } from '../../../src/db/devices.js';
import type { Database } from '../../../src/db/types.js';
import { ENGINES, openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { AuthError, NotFoundError } from '../../../src/domain/errors.js';
import type { Reading } from '../../../src/domain/readings.js';
import { linkMeter } from '../../../src/link/linkMeter.js';
import { rotateKeys } from '../../../src/link/rotateKeys.js';
import { unlinkMeter } from '../../../src/link/unlinkMeter.js';
import { createOresProvider } from '../../../src/providers/ores.js';
import { isProviderCallError } from '../../../src/providers/errors.js';
import type { Simulator } from '../../../src/simulator/server.js';
import {
  captureLogger,
  followRedirects,
  KEY_A,
  KEY_B,
  NOW,
  simConfig,
  simEnv,
  startTestSimulator,
} from './helpers.js';

// Each test gets its own database and simulator, so none depends on another's rows.
describe.each(ENGINES)('%s database', (engine) => {
  let t: TestDatabase;
  let db: Database;
  let sim: Simulator;
  let buildingId: string;
  const logLines: string[] = [];

  beforeEach(async () => {
    t = await openTestDatabase(engine);
    db = t.db;
    buildingId = (await addBuilding(db, 'Résidence du Parc', 'Europe/Brussels')).id;
    sim = await startTestSimulator();
  });

  afterEach(async () => {
    await sim?.close();
    await t?.close();
  });

  async function link(provider: 'ores' | 'enedis', key = KEY_A): Promise<DeviceWithBuilding> {
    const { log, lines } = captureLogger();
    try {
      return await linkMeter(db, simConfig(sim, { IOT_ENCRYPTION_KEY: key }), {
        provider,
        timeoutMs: 10_000,
        openUrl: followRedirects,
        log,
        providerDeps: { now: () => NOW },
      });
    } finally {
      logLines.push(...lines);
    }
  }

  async function rawRow(id: string): Promise<Record<string, unknown>> {
    const r = await db.query<Record<string, unknown>>('SELECT * FROM linky_devices WHERE id = $1', [
      id,
    ]);
    return r.rows[0] ?? {};
  }

  function oresProvider() {
    return createOresProvider(simConfig(sim).providers.ores, { now: () => NOW });
  }

  /** Whether the simulator still serves the meter's data with this access token. */
  async function tokenWorks(prm: string, accessToken: string): Promise<boolean> {
    try {
      await oresProvider().fetchLoadCurve({
        prm,
        kind: 'consumption',
        fromDay: '2026-11-20',
        toDay: '2026-11-21',
        tokens: { accessToken },
      });
      return true;
    } catch (e) {
      if (isProviderCallError(e) && (e.status === 401 || e.status === 403)) return false;
      throw e;
    }
  }

  function readings(prm: string, count: number): Reading[] {
    return Array.from({ length: count }, (_, i) => ({
      buildingId,
      deviceRef: prm,
      deviceType: 'electricity_meter' as const,
      metricType: 'electricity_consumption' as const,
      timestamp: new Date(Date.UTC(2026, 10, 20, 0, 30 * i)),
      intervalSeconds: 1800,
      value: 0.25,
      unit: 'kWh',
      source: 'ores',
    }));
  }

  async function readingCount(prm: string): Promise<number> {
    const r = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM iot_readings WHERE device_ref = $1',
      [prm],
    );
    return r.rows[0]?.n ?? 0;
  }

  describe('tokens sealed at rest', () => {
    it('stores no token in plaintext, and the opened tokens work at the provider', async () => {
      const device = await link('ores');
      const tokens = await loadDeviceTokens(db, device, parseKeyring(KEY_A));
      expect(tokens.accessToken).toBeTruthy();
      expect(tokens.refreshToken).toBeTruthy();
      const row = JSON.stringify(await rawRow(device.id));
      expect(row).not.toContain(tokens.accessToken);
      expect(row).not.toContain(tokens.refreshToken);
      expect(row).toContain(`"api_key_encrypted":"v1.${parseEncryptionKey(KEY_A).keyId}.`);
      // Nor in the device as the rest of the tool sees it, nor in the logs.
      expect(JSON.stringify(device)).not.toContain('v1.');
      for (const line of logLines) {
        expect(line).not.toContain(tokens.accessToken);
        expect(line).not.toContain(tokens.refreshToken);
      }
      expect(await tokenWorks(device.prm, tokens.accessToken!)).toBe(true);
    });

    it('rejects a tampered ciphertext when loading', async () => {
      const device = await link('ores');
      const row = await rawRow(device.id);
      // One bit of the ciphertext itself flipped (changing the last base64 character may
      // only touch its unused padding bits, which decode to the same bytes).
      const parts = String(row.api_key_encrypted).split('.');
      const body = Buffer.from(parts[parts.length - 1] as string, 'base64url');
      body[0] = (body[0] as number) ^ 0x01;
      parts[parts.length - 1] = body.toString('base64url');
      await db.query('UPDATE linky_devices SET api_key_encrypted = $2 WHERE id = $1', [
        device.id,
        parts.join('.'),
      ]);
      await expect(loadDeviceTokens(db, device, parseKeyring(KEY_A))).rejects.toThrow(AuthError);
      await expect(loadDeviceTokens(db, device, parseKeyring(KEY_A))).rejects.toThrow(
        /failed authentication/,
      );
    });

    it('rejects a token copied into another device row', async () => {
      const a = await link('ores');
      const b = await link('ores');
      await db.query(
        `UPDATE linky_devices SET refresh_token_encrypted =
         (SELECT refresh_token_encrypted FROM linky_devices WHERE id = $1) WHERE id = $2`,
        [a.id, b.id],
      );
      await expect(loadDeviceTokens(db, b, parseKeyring(KEY_A))).rejects.toThrow(AuthError);
    });

    it('says which key is needed when opened with another one', async () => {
      const device = await link('ores');
      await expect(loadDeviceTokens(db, device, parseKeyring(KEY_B))).rejects.toThrow(
        /not IOT_ENCRYPTION_KEY/,
      );
    });
  });

  describe('keys rotate', () => {
    it('re-seals every token under the new key; the old key no longer opens them', async () => {
      // Start from a clean set: only devices whose tokens open under KEY_A.
      await db.query('DELETE FROM linky_devices');
      const one = await link('ores');
      const two = await link('ores');
      const enedis = await link('enedis');
      const before = await loadDeviceTokens(db, one, parseKeyring(KEY_A));

      const result = await rotateKeys(db, () => parseKeyring(KEY_A), parseEncryptionKey(KEY_B));
      expect(result).toEqual({ devices: 2, resealed: 2, keyId: parseEncryptionKey(KEY_B).keyId });

      const after = await loadDeviceTokens(db, one, parseKeyring(KEY_B));
      expect(after.accessToken).toBe(before.accessToken);
      expect(after.refreshToken).toBe(before.refreshToken);
      await expect(loadDeviceTokens(db, two, parseKeyring(KEY_A))).rejects.toThrow(AuthError);
      expect((await getDevice(db, two.id))?.token_key_id).toBe(parseEncryptionKey(KEY_B).keyId);
      expect((await getDevice(db, enedis.id))?.has_tokens).toBe(false);

      // Run again: nothing left to re-seal, and everything still opens.
      const again = await rotateKeys(db, () => parseKeyring(KEY_B), parseEncryptionKey(KEY_B));
      expect(again.resealed).toBe(0);
      expect((await loadDeviceTokens(db, two, parseKeyring(KEY_B))).accessToken).toBeTruthy();
    });

    it('changes nothing when one value cannot be opened', async () => {
      await db.query('DELETE FROM linky_devices');
      const good = await link('ores', KEY_A);
      await link('ores', KEY_B);
      const KEY_C = 'c'.repeat(64);
      await expect(
        rotateKeys(db, () => parseKeyring(KEY_A), parseEncryptionKey(KEY_C)),
      ).rejects.toThrow(AuthError);
      // The transaction rolled back: the first device is still under KEY_A.
      expect((await loadDeviceTokens(db, good, parseKeyring(KEY_A))).accessToken).toBeTruthy();
    });
  });

  describe('unlink', () => {
    it('revokes at ORES, deletes the device and its tokens, keeps the readings', async () => {
      const device = await link('ores');
      const tokens = await loadDeviceTokens(db, device, parseKeyring(KEY_A));
      await upsertReadings(db, readings(device.prm, 4));

      const r = await unlinkMeter(db, simConfig(sim), simEnv(sim), device.prm);
      expect(r.revocation).toBe('revoked');
      expect(r.readingsKept).toBe(true);
      expect(await getDevice(db, device.id)).toBeNull();
      expect(
        (await db.query('SELECT 1 FROM linky_devices WHERE prm = $1', [device.prm])).rows,
      ).toHaveLength(0);
      expect(await readingCount(device.prm)).toBe(4);
      expect(await tokenWorks(device.prm, tokens.accessToken!)).toBe(false);
    });

    it('deletes the readings too with purgeReadings', async () => {
      const device = await link('ores');
      await upsertReadings(db, readings(device.prm, 3));
      const r = await unlinkMeter(db, simConfig(sim), simEnv(sim), device.id, {
        purgeReadings: true,
      });
      expect(r.readingsDeleted).toBe(3);
      expect(await readingCount(device.prm)).toBe(0);
    });

    it('for Enedis, deletes the device and says the customer withdraws the consent', async () => {
      const device = await link('enedis');
      const r = await unlinkMeter(db, simConfig(sim), simEnv(sim), device.prm);
      expect(r.revocation).toBe('not_supported');
      expect(await getDevice(db, device.prm)).toBeNull();
    });

    it('still deletes the tokens when the key is lost, and says the revocation failed', async () => {
      const device = await link('ores');
      const env = simEnv(sim, { IOT_ENCRYPTION_KEY: undefined });
      const r = await unlinkMeter(
        db,
        simConfig(sim, { IOT_ENCRYPTION_KEY: undefined }),
        env,
        device.prm,
      );
      expect(r.revocation).toBe('failed');
      expect(r.revocationError).toMatch(/IOT_ENCRYPTION_KEY/);
      expect(await getDevice(db, device.id)).toBeNull();
    });

    it('reports an unknown meter as not found', async () => {
      await expect(unlinkMeter(db, simConfig(sim), simEnv(sim), '12345678901234')).rejects.toThrow(
        NotFoundError,
      );
    });
  });
});
