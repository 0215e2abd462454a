/**
 * PKCE (RFC 7636), the OAuth `state`, and the relay variant of `state` that carries the
 * loopback port for the HTTPS relay page (docs/relay.html).
 */
import { createHash, randomBytes } from 'node:crypto';
import { AuthError, UsageError } from '../domain/errors.js';

export interface Pkce {
  /** 43–128 characters from the RFC 7636 unreserved set; kept secret until the code exchange. */
  verifier: string;
  /** base64url(SHA-256(verifier)), sent with the authorization request. */
  challenge: string;
  method: 'S256';
}

/** The S256 challenge of a verifier (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    throw new UsageError('a PKCE verifier must be 43 to 128 unreserved characters');
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A fresh verifier (32 random bytes → 43 base64url characters) and its S256 challenge. */
export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

/** An unguessable `state`: 32 random bytes, base64url (43 characters). */
export function randomState(): string {
  return randomBytes(32).toString('base64url');
}

/*
 * Relay state: `<random>.<port>`. The random part is base64url (no dots), so the last dot
 * splits it unambiguously; the port is decimal so the relay page's few lines of JS can
 * read it without a decoder. docs/relay.html applies the same pattern: keep them in step.
 */
export const RELAY_STATE_MAX_LENGTH = 100;
export const RELAY_PORT_MIN = 1024;
export const RELAY_PORT_MAX = 65535;
const RELAY_RANDOM = /^[A-Za-z0-9_-]{16,94}$/;
const RELAY_STATE = /^([A-Za-z0-9_-]{16,94})\.([0-9]{1,5})$/;

export interface RelayState {
  random: string;
  port: number;
}

function isRelayPort(port: number): boolean {
  return Number.isInteger(port) && port >= RELAY_PORT_MIN && port <= RELAY_PORT_MAX;
}

/** Builds the state a relay page can read the loopback port from. */
export function encodeRelayState(random: string, port: number): string {
  if (!RELAY_RANDOM.test(random)) {
    throw new UsageError('the random part of a relay state must be 16 to 94 base64url characters');
  }
  if (!isRelayPort(port)) {
    throw new UsageError(
      `the relay page only forwards to ports ${RELAY_PORT_MIN}–${RELAY_PORT_MAX}; got ${String(port)}`,
      { hint: 'pass a --port in that range, or omit it to take a free one' },
    );
  }
  return `${random}.${port}`;
}

/** Reads back a relay state; throws AuthError when it is not one. */
export function decodeRelayState(state: string): RelayState {
  const match = RELAY_STATE.exec(state);
  const random = match?.[1];
  const port = Number(match?.[2]);
  if (random === undefined || !isRelayPort(port) || state.length > RELAY_STATE_MAX_LENGTH) {
    throw new AuthError('the state is not a relay state (expected <random>.<port>)');
  }
  return { random, port };
}
