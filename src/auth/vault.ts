/**
 * The token vault: provider tokens are stored sealed with AES-256-GCM under
 * IOT_ENCRYPTION_KEY. A sealed value is one string
 *   v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>
 * The keyId names the key (not secret: 8 hex characters of its SHA-256) so a rotation can
 * tell which rows still need resealing; the AAD binds a value to its row and column, so a
 * token copied into another device's row fails to open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AuthError, ConfigError } from '../domain/errors.js';

export interface EncryptionKey {
  key: Buffer;
  /** First 8 hex characters of SHA-256(key). */
  keyId: string;
}

export interface Keyring {
  /** The key new values are sealed with (IOT_ENCRYPTION_KEY). */
  current: EncryptionKey;
  /** Older keys still accepted for opening, during a rotation. */
  previous?: EncryptionKey[];
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_HEX = /^[0-9a-fA-F]{64}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

const GENERATE_HINT =
  'generate one with `export IOT_ENCRYPTION_KEY=$(koprogo-iot keys generate)`, ' +
  'and keep it: tokens sealed with it cannot be read without it';

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/**
 * Parses a 32-byte key written as 64 hex characters. The value itself never appears in
 * an error, only what is wrong with it.
 */
export function parseEncryptionKey(
  hex: string | undefined,
  name = 'IOT_ENCRYPTION_KEY',
): EncryptionKey {
  const text = hex?.trim() ?? '';
  if (text === '') {
    throw new ConfigError(`${name} is not set; it is needed to seal and open provider tokens`, {
      hint: GENERATE_HINT,
    });
  }
  if (!KEY_HEX.test(text)) {
    throw new ConfigError(
      `${name} must be 64 hexadecimal characters (32 bytes); the value given has ${text.length} characters` +
        (/^[0-9a-fA-F]*$/.test(text) ? '' : ', some of them not hexadecimal'),
      { hint: GENERATE_HINT },
    );
  }
  const key = Buffer.from(text, 'hex');
  return { key, keyId: keyIdOf(key) };
}

/**
 * Builds a keyring from the current key and an optional comma-separated list of older
 * keys (for a rotation in progress).
 */
export function parseKeyring(
  currentHex: string | undefined,
  previousHex?: string,
  names: { current?: string; previous?: string } = {},
): Keyring {
  const current = parseEncryptionKey(currentHex, names.current);
  const parts = (previousHex ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const previousName = names.previous ?? 'IOT_ENCRYPTION_KEY_PREVIOUS';
  const previous = parts.map((p, i) =>
    parseEncryptionKey(p, parts.length > 1 ? `${previousName} (key ${i + 1})` : previousName),
  );
  return previous.length > 0 ? { current, previous } : { current };
}

/** The AAD of a token column of a device row, e.g. `linky_devices:<uuid>:access_token`. */
export function deviceTokenAad(deviceId: string, column: 'access_token' | 'refresh_token'): string {
  return `linky_devices:${deviceId}:${column}`;
}

function checkKey(k: EncryptionKey): void {
  if (k.key.length !== 32) throw new ConfigError('an encryption key must be 32 bytes');
}

export function seal(plaintext: string, key: EncryptionKey, aad: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    key.keyId,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

interface SealedParts {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function split(sealed: string): SealedParts {
  const parts = sealed.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  if (
    parts.length !== 5 ||
    version !== VERSION ||
    keyId === undefined ||
    !/^[0-9a-f]{8}$/.test(keyId) ||
    iv === undefined ||
    tag === undefined ||
    ciphertext === undefined ||
    ![iv, tag, ciphertext].every((p) => B64URL.test(p))
  ) {
    throw new AuthError(`a sealed token is not in the ${VERSION} format`, {
      hint: 'the stored value was changed or written by another tool; re-link the meter',
    });
  }
  const parsed = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
  };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) {
    throw new AuthError('sealed token failed authentication', {
      hint: 'the stored value was changed; re-link the meter',
    });
  }
  return parsed;
}

/** The id of the key a value was sealed with (to find rows a rotation has not reached). */
export function sealedKeyId(sealed: string): string {
  return split(sealed).keyId;
}

export function open(sealed: string, keyring: Keyring, aad: string): string {
  const parts = split(sealed);
  const key = [keyring.current, ...(keyring.previous ?? [])].find((k) => k.keyId === parts.keyId);
  if (!key) {
    throw new AuthError(
      `tokens were sealed with key ${parts.keyId}, which is not IOT_ENCRYPTION_KEY (${keyring.current.keyId})`,
      {
        hint: 'set IOT_ENCRYPTION_KEY to the key the tokens were sealed with (or list it in IOT_ENCRYPTION_KEY_PREVIOUS to rotate), or re-link the meter',
      },
    );
  }
  checkKey(key);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, parts.iv, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // The cause is dropped on purpose: it tells nothing useful and must not carry data.
    throw new AuthError('sealed token failed authentication', {
      hint: 'the stored value was changed, copied from another device, or sealed with another key of the same id; re-link the meter',
    });
  }
}

/**
 * Opens a value with the keyring and seals it again with newKey (key rotation). A value
 * already under newKey is checked and returned as it is, so a rotation rewrites only the
 * rows it has to.
 */
export function reseal(
  sealed: string,
  keyring: Keyring,
  newKey: EncryptionKey,
  aad: string,
): string {
  const plaintext = open(
    sealed,
    { ...keyring, previous: [...(keyring.previous ?? []), newKey] },
    aad,
  );
  if (sealedKeyId(sealed) === newKey.keyId) return sealed;
  return seal(plaintext, newKey, aad);
}
