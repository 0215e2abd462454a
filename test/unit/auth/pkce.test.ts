import { describe, expect, it } from 'vitest';
import {
  createPkce,
  decodeRelayState,
  encodeRelayState,
  pkceChallenge,
  randomState,
} from '../../../src/auth/pkce.js';
import { AuthError, UsageError } from '../../../src/domain/errors.js';

describe('PKCE', () => {
  it('computes the S256 challenge of the RFC 7636 appendix B example', () => {
    // RFC 7636, appendix B.
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates a fresh verifier of unreserved characters with its challenge', () => {
    const a = createPkce();
    const b = createPkce();
    expect(a.method).toBe('S256');
    expect(a.verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(a.challenge).toBe(pkceChallenge(a.verifier));
    expect(a.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.verifier).not.toBe(a.verifier);
  });

  it('refuses a verifier that is too short', () => {
    expect(() => pkceChallenge('short')).toThrow(UsageError);
  });
});

describe('state', () => {
  it('is random and URL-safe', () => {
    const a = randomState();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomState()).not.toBe(a);
  });
});

describe('relay state', () => {
  it('round-trips the port and stays within 100 URL-safe characters', () => {
    for (const port of [1024, 8080, 49152, 65535]) {
      const random = randomState();
      const state = encodeRelayState(random, port);
      expect(state.length).toBeLessThanOrEqual(100);
      expect(encodeURIComponent(state)).toBe(state);
      expect(decodeRelayState(state)).toEqual({ random, port });
    }
  });

  it('stays within 100 characters with the longest random part', () => {
    const state = encodeRelayState('a'.repeat(94), 65535);
    expect(state).toHaveLength(100);
    expect(() => encodeRelayState('a'.repeat(95), 65535)).toThrow(UsageError);
  });

  it('refuses ports the relay page would not forward to', () => {
    expect(() => encodeRelayState(randomState(), 80)).toThrow(/1024–65535/);
    expect(() => encodeRelayState(randomState(), 65536)).toThrow(UsageError);
    expect(() => encodeRelayState(randomState(), 8080.5)).toThrow(UsageError);
  });

  it('refuses a random part with characters that are not URL-safe', () => {
    expect(() => encodeRelayState('abc.def/ghi+jklmnop', 8080)).toThrow(UsageError);
  });

  it('rejects states that are not relay states', () => {
    for (const bad of ['', 'nodot', `${'a'.repeat(20)}.80`, `${'a'.repeat(20)}.70000`, `a.8080`]) {
      expect(() => decodeRelayState(bad)).toThrow(AuthError);
    }
  });
});
