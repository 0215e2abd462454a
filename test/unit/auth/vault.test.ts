import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deviceTokenAad,
  keyIdOf,
  open,
  parseEncryptionKey,
  parseKeyring,
  reseal,
  seal,
  sealedKeyId,
} from '../../../src/auth/vault.js';
import { AuthError, ConfigError } from '../../../src/domain/errors.js';

const hexKey = (): string => randomBytes(32).toString('hex');
const AAD = deviceTokenAad('0b6c3f1e-7a8d-4d7e-9a53-0f6f2c1d9e10', 'access_token');
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.secret-access-token';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('parseEncryptionKey', () => {
  it('parses 64 hex characters and names the key by its hash', () => {
    const hex = hexKey();
    const k = parseEncryptionKey(`${hex.toUpperCase()}\n`);
    expect(k.key.toString('hex')).toBe(hex);
    expect(k.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(k.keyId).toBe(keyIdOf(Buffer.from(hex, 'hex')));
  });

  it('says how to generate a missing key', () => {
    for (const missing of [undefined, '', '  ']) {
      const e = errorOf(() => parseEncryptionKey(missing));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toContain('IOT_ENCRYPTION_KEY is not set');
      // The project's own command, not a tool the user may not have.
      expect((e as ConfigError).hint).toContain('koprogo-iot keys generate');
    }
  });

  it('refuses a malformed key without echoing it', () => {
    const short = hexKey().slice(0, 62);
    const notHex = `${hexKey().slice(0, 60)}zzzz`;
    const base64 = randomBytes(32).toString('base64');
    for (const bad of [short, notHex, base64]) {
      const e = errorOf(() => parseEncryptionKey(bad));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toContain('64 hexadecimal characters');
      expect(`${e.message} ${(e as ConfigError).hint ?? ''}`).not.toContain(bad.slice(0, 16));
    }
  });
});

describe('seal and open', () => {
  const current = parseEncryptionKey(hexKey());

  it('round-trips a token and never shows it in the sealed value', () => {
    const sealed = seal(TOKEN, current, AAD);
    expect(sealed).toMatch(
      /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/,
    );
    expect(sealed.split('.')[1]).toBe(current.keyId);
    expect(sealed).not.toContain('secret');
    expect(open(sealed, { current }, AAD)).toBe(TOKEN);
  });

  it('uses a fresh IV for every seal', () => {
    expect(seal(TOKEN, current, AAD)).not.toBe(seal(TOKEN, current, AAD));
  });

  it('names both keys when the value was sealed with another key', () => {
    const other = parseEncryptionKey(hexKey());
    const sealed = seal(TOKEN, other, AAD);
    const e = errorOf(() => open(sealed, { current }, AAD));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).toBe(
      `tokens were sealed with key ${other.keyId}, which is not IOT_ENCRYPTION_KEY (${current.keyId})`,
    );
  });

  it('opens values sealed with a previous key of the keyring', () => {
    const old = parseEncryptionKey(hexKey());
    const sealed = seal(TOKEN, old, AAD);
    expect(open(sealed, { current, previous: [old] }, AAD)).toBe(TOKEN);
  });

  it('refuses a wrong key that has the same id', () => {
    const sealed = seal(TOKEN, current, AAD);
    const impostor = { key: randomBytes(32), keyId: current.keyId };
    const e = errorOf(() => open(sealed, { current: impostor }, AAD));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).toBe('sealed token failed authentication');
  });

  it('refuses a tampered ciphertext, IV or tag', () => {
    const sealed = seal(TOKEN, current, AAD);
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const changed = [...parts];
      const bytes = Buffer.from(changed[index] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 0x01;
      changed[index] = bytes.toString('base64url');
      const e = errorOf(() => open(changed.join('.'), { current }, AAD));
      expect(e).toBeInstanceOf(AuthError);
      expect(e.message).toBe('sealed token failed authentication');
    }
  });

  it('refuses a value moved to another row or column (wrong AAD)', () => {
    const sealed = seal(TOKEN, current, AAD);
    for (const aad of [
      deviceTokenAad('0b6c3f1e-7a8d-4d7e-9a53-0f6f2c1d9e11', 'access_token'),
      deviceTokenAad('0b6c3f1e-7a8d-4d7e-9a53-0f6f2c1d9e10', 'refresh_token'),
    ]) {
      const e = errorOf(() => open(sealed, { current }, aad));
      expect(e.message).toBe('sealed token failed authentication');
      expect(e.message + String((e as AuthError).hint)).not.toContain(TOKEN);
    }
  });

  it('refuses a value that is not in the sealed format', () => {
    for (const bad of [TOKEN, 'v2.abcdef01.a.b.c', '', 'v1.abcdef01.a.b']) {
      const e = errorOf(() => open(bad, { current }, AAD));
      expect(e).toBeInstanceOf(AuthError);
      expect(e.message).not.toContain(TOKEN);
    }
  });
});

describe('reseal and keyrings', () => {
  it('moves a value to the new key, which alone then opens it', () => {
    const old = parseEncryptionKey(hexKey());
    const next = parseEncryptionKey(hexKey());
    const sealed = seal(TOKEN, old, AAD);
    const moved = reseal(sealed, { current: old }, next, AAD);
    expect(sealedKeyId(moved)).toBe(next.keyId);
    expect(open(moved, { current: next }, AAD)).toBe(TOKEN);
    expect(() => open(moved, { current: old }, AAD)).toThrow(/sealed with key/);
  });

  it('leaves a value already under the new key as it is', () => {
    const next = parseEncryptionKey(hexKey());
    const sealed = seal(TOKEN, next, AAD);
    expect(reseal(sealed, { current: next }, next, AAD)).toBe(sealed);
  });

  it('refuses to reseal a tampered value', () => {
    const old = parseEncryptionKey(hexKey());
    const next = parseEncryptionKey(hexKey());
    const sealed = seal(TOKEN, old, AAD);
    expect(() => reseal(sealed, { current: old }, next, `${AAD}x`)).toThrow(
      'sealed token failed authentication',
    );
  });

  it('builds a keyring from a current key and a list of previous keys', () => {
    const [a, b, c] = [hexKey(), hexKey(), hexKey()];
    const ring = parseKeyring(a, ` ${b}, ${c} `);
    expect(ring.current.key.toString('hex')).toBe(a);
    expect(ring.previous?.map((k) => k.key.toString('hex'))).toEqual([b, c]);
    expect(parseKeyring(a).previous).toBeUndefined();
    const e = errorOf(() => parseKeyring(a, `${b},nothex`));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('IOT_ENCRYPTION_KEY_PREVIOUS (key 2)');
    expect(e.message).not.toContain(b);
  });
});
