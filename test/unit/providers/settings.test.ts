import { describe, expect, it } from 'vitest';
import {
  createProvider,
  DEFAULT_PROVIDER_SETTINGS,
  defaultProviderSettings,
  resolveProviderUrls,
} from '../../../src/providers/index.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { ProviderCallError } from '../../../src/providers/errors.js';

describe('provider settings', () => {
  it('moves every URL to baseUrl, keeping the paths', () => {
    const s = resolveProviderUrls({
      ...DEFAULT_PROVIDER_SETTINGS.enedis,
      baseUrl: 'http://127.0.0.1:8080/sim/',
    });
    expect(s.authorizeUrl).toBe('http://127.0.0.1:8080/sim/dataconnect/v2/oauth2/authorize');
    expect(s.tokenUrl).toBe('http://127.0.0.1:8080/sim/oauth2/v3/token');
    expect(s.consumptionLoadCurveUrl).toBe(
      'http://127.0.0.1:8080/sim/mesure_synchrone_auto/v2/courbe_de_charge_consommation',
    );
    expect(s.baseUrl).toBeUndefined();
    expect(resolveProviderUrls(s)).toEqual(s);
  });

  it('accepts plain paths with a baseUrl and refuses them without one', () => {
    const ores = { ...DEFAULT_PROVIDER_SETTINGS.ores, tokenUrl: '/oauth/token' };
    expect(resolveProviderUrls({ ...ores, baseUrl: 'http://127.0.0.1:9' }).tokenUrl).toBe(
      'http://127.0.0.1:9/oauth/token',
    );
    expect(() => resolveProviderUrls(ores)).toThrow(ConfigError);
    expect(() => resolveProviderUrls({ ...ores, baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
  });

  it('selects the v5 URLs and quota for Enedis v5', () => {
    const v5 = defaultProviderSettings('enedis', { apiVersion: 'v5' });
    expect(new URL(v5.consumptionLoadCurveUrl).pathname).toBe(
      '/metering_data_clc/v5/consumption_load_curve',
    );
    expect(v5.rateLimit.perHour).toBe(10_000);
    expect(DEFAULT_PROVIDER_SETTINGS.enedis.rateLimit.perHour).toBe(1000);
  });
});

describe('consent page URLs', () => {
  it('asks Enedis for the v2 or v1 page with duration, state and redirect', () => {
    const enedis = createProvider({
      ...DEFAULT_PROVIDER_SETTINGS.enedis,
      clientId: 'app-1',
      consentDuration: 'P3Y',
    });
    const u = new URL(
      enedis.authorizeUrl({ state: 'st-1', redirectUri: 'https://relay.example/cb' }),
    );
    expect(u.origin + u.pathname).toBe(
      'https://mon-compte-particulier.enedis.fr/dataconnect/v2/oauth2/authorize',
    );
    expect(Object.fromEntries(u.searchParams)).toEqual({
      client_id: 'app-1',
      response_type: 'code',
      state: 'st-1',
      duration: 'P3Y',
      redirect_uri: 'https://relay.example/cb',
    });
    const v1 = createProvider({
      ...DEFAULT_PROVIDER_SETTINGS.enedis,
      clientId: 'app-1',
      consentVersion: 'v1',
    });
    expect(new URL(v1.authorizeUrl({ state: 's', redirectUri: 'https://r/cb' })).pathname).toBe(
      '/dataconnect/v1/oauth2/authorize',
    );
    expect(() =>
      enedis.authorizeUrl({ state: 'x'.repeat(101), redirectUri: 'https://r/cb' }),
    ).toThrow(/100/);
  });

  it('asks ORES for a PKCE S256 consent', () => {
    const ores = createProvider({ ...DEFAULT_PROVIDER_SETTINGS.ores, clientId: 'be-app' });
    const u = new URL(
      ores.authorizeUrl({
        state: 's',
        redirectUri: 'http://127.0.0.1:5000/callback',
        codeChallenge: 'abc',
      }),
    );
    expect(u.searchParams.get('code_challenge')).toBe('abc');
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('scope')).toBe('consumption');
    expect(() =>
      ores.authorizeUrl({ state: 's', redirectUri: 'http://127.0.0.1:5000/callback' }),
    ).toThrow(/PKCE/);
  });

  it('refuses a bad PRM or window before calling anything', async () => {
    let called = 0;
    const fetch = async () => {
      called++;
      return new Response('{}');
    };
    const enedis = createProvider(
      { ...DEFAULT_PROVIDER_SETTINGS.enedis, clientId: 'a', clientSecret: 'b' },
      { fetch },
    );
    const req = {
      prm: '1234',
      kind: 'consumption' as const,
      fromDay: '2026-10-01',
      toDay: '2026-10-02',
      tokens: {},
    };
    await expect(enedis.fetchLoadCurve(req)).rejects.toMatchObject({ kind: 'bad_request' });
    await expect(
      enedis.fetchLoadCurve({ ...req, prm: '12345678901234', toDay: '2026-10-09' }),
    ).rejects.toThrow(/7 per call/);
    await expect(
      enedis.fetchLoadCurve({ ...req, prm: '12345678901234', toDay: '2026-10-01' }),
    ).rejects.toBeInstanceOf(ProviderCallError);
    expect(called).toBe(0);
    await expect(enedis.refreshTokens({})).rejects.toThrow(/no per-meter tokens/);
    expect(await enedis.revoke({})).toBe(false);
  });
});
