/**
 * The adapters' real HTTP against a tiny canned server on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createEnedisProvider,
  createOresProvider,
  DEFAULT_PROVIDER_SETTINGS,
} from '../../../src/providers/index.js';
import { ProviderCallError } from '../../../src/providers/errors.js';
import { AuthError } from '../../../src/domain/errors.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let base = '';
let routes: Record<string, Handler> = {};
let seen: Seen[] = [];
/** Answers a handler chose never to finish; dropped after each test. */
let held: ServerResponse[] = [];
const hang: Handler = (_req, res) => void held.push(res);

const json = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const hits = (path: string) => seen.filter((s) => s.path === path);

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const s: Seen = {
        method: req.method ?? '',
        path: u.pathname,
        query: u.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(s);
      const handler = routes[`${s.method} ${s.path}`];
      if (handler) handler(s, res);
      else json(res, 404, { error: 'no_route' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  routes = {};
  seen = [];
});

afterEach(() => {
  for (const res of held) res.destroy();
  held = [];
});

const PRM = '12345678901234';
const curve = (prm = PRM) => ({
  idPrm: prm,
  etapeMetier: 'BRUT',
  periode: { dateDebut: '2026-09-29', dateFin: '2026-09-30' },
  grandeur: [
    {
      grandeurMetier: 'CONS',
      grandeurPhysique: 'PA',
      unite: 'W',
      points: [
        { v: '4078', d: '2026-09-29 00:30:00', p: 'PT30M', n: 'B' },
        { v: '2000', d: '2026-09-29 01:00:00', p: 'PT30M', n: 'B' },
      ],
    },
  ],
});
const CURVE = 'GET /mesure_synchrone_auto/v2/courbe_de_charge_consommation';
const window = {
  prm: PRM,
  kind: 'consumption' as const,
  fromDay: '2026-09-29',
  toDay: '2026-09-30',
  tokens: {},
};

function enedis(extra: Partial<typeof DEFAULT_PROVIDER_SETTINGS.enedis> = {}, now?: () => Date) {
  return createEnedisProvider(
    {
      ...DEFAULT_PROVIDER_SETTINGS.enedis,
      baseUrl: base,
      clientId: 'app-id',
      clientSecret: 'app-secret-123',
      ...extra,
    },
    now ? { now } : {},
  );
}

function issueTokens(): void {
  let n = 0;
  routes['POST /oauth2/v3/token'] = (_req, res) => {
    n++;
    json(res, 200, {
      access_token: `tok-${n}`,
      token_type: 'Bearer',
      expires_in: '12600',
      scope: 'x',
    });
  };
}

describe('Enedis over HTTP', () => {
  it('fetches one application token for concurrent calls and reuses it until shortly before expiry', async () => {
    issueTokens();
    routes[CURVE] = (req, res) => json(res, 200, curve(req.query.get('pointId') ?? ''));
    let t = Date.parse('2026-10-01T08:00:00Z');
    const p = enedis({}, () => new Date(t));
    const [a] = await Promise.all([
      p.fetchLoadCurve(window),
      p.fetchLoadCurve(window),
      p.fetchLoadCurve(window),
    ]);
    expect(a.readings.map((r) => [r.start.toISOString(), r.kwh])).toEqual([
      ['2026-09-28T22:00:00.000Z', 2.039],
      ['2026-09-28T22:30:00.000Z', 1],
    ]);
    const tokenCalls = hits('/oauth2/v3/token');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenCalls[0]?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'app-id',
      client_secret: 'app-secret-123',
    });
    const call = hits('/mesure_synchrone_auto/v2/courbe_de_charge_consommation')[0];
    expect(call?.headers.authorization).toBe('Bearer tok-1');
    expect(Object.fromEntries(call?.query ?? [])).toEqual({
      pointId: PRM,
      dateDebut: '2026-09-29',
      dateFin: '2026-09-30',
    });

    t += (12600 - 61) * 1000;
    await p.fetchLoadCurve(window);
    expect(hits('/oauth2/v3/token')).toHaveLength(1);
    t += 2000; // now inside the last minute of the token's life
    await p.fetchLoadCurve(window);
    expect(hits('/oauth2/v3/token')).toHaveLength(2);
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer tok-2');
  });

  it('on a 401 invalid_token fetches a new application token once and tries again', async () => {
    issueTokens();
    routes[CURVE] = (req, res) =>
      req.headers.authorization === 'Bearer tok-1'
        ? json(res, 401, { error: 'invalid_token', error_description: 'expired' })
        : json(res, 200, curve());
    const r = await enedis().fetchLoadCurve(window);
    expect(r.readings).toHaveLength(2);
    expect(hits('/oauth2/v3/token')).toHaveLength(2);
    expect(hits('/mesure_synchrone_auto/v2/courbe_de_charge_consommation')).toHaveLength(2);
  });

  it('gives up after that one retry when the new token is refused as well', async () => {
    issueTokens();
    routes[CURVE] = (_req, res) => json(res, 401, { error: 'invalid_token' });
    const err = await enedis()
      .fetchLoadCurve(window)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderCallError);
    expect((err as ProviderCallError).kind).toBe('transient');
    expect((err as ProviderCallError).message).not.toContain('tok-');
    expect(hits('/oauth2/v3/token')).toHaveLength(2);
    expect(hits('/mesure_synchrone_auto/v2/courbe_de_charge_consommation')).toHaveLength(2);
  });

  it('reports a wrong client secret without repeating it', async () => {
    routes['POST /oauth2/v3/token'] = (_req, res) =>
      json(res, 401, {
        error: 'invalid_client',
        error_description: 'client app-secret-123 unknown',
      });
    const err = (await enedis()
      .fetchLoadCurve(window)
      .catch((e: unknown) => e)) as ProviderCallError;
    expect(err.kind).toBe('bad_request');
    expect(err.code).toBe('invalid_client');
    expect(err.message).not.toContain('app-secret-123');
  });

  it('turns a silent server into a transient error after the timeout', async () => {
    issueTokens();
    routes[CURVE] = hang; // never answers
    const err = (await enedis({ timeoutMs: 300 })
      .fetchLoadCurve(window)
      .catch((e: unknown) => e)) as ProviderCallError;
    expect(err).toBeInstanceOf(ProviderCallError);
    expect(err.kind).toBe('transient');
    expect(err.message).toMatch(/no answer within/);
  });

  it('lets a caller cancel a call with its own signal', async () => {
    issueTokens();
    routes[CURVE] = hang;
    const ctrl = new AbortController();
    const pending = enedis().fetchLoadCurve({ ...window, signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('shutting down')), 50);
    await expect(pending).rejects.toThrow('shutting down');
  });

  it('treats a body cut short as malformed, whether the connection drops or the JSON ends early', async () => {
    issueTokens();
    routes[CURVE] = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '5000' });
      res.write(JSON.stringify(curve()).slice(0, 120));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const p = enedis();
    await expect(p.fetchLoadCurve(window)).rejects.toMatchObject({ kind: 'malformed' });
    routes[CURVE] = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(curve()).slice(0, 120));
    };
    await expect(p.fetchLoadCurve(window)).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('reports a closed port as transient', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const p = createEnedisProvider({
      ...DEFAULT_PROVIDER_SETTINGS.enedis,
      baseUrl: `http://127.0.0.1:${port}`,
      clientId: 'a',
      clientSecret: 'secret-b',
    });
    await expect(p.fetchLoadCurve(window)).rejects.toMatchObject({ kind: 'transient' });
  });

  it('passes on a 429 with the wait the provider asked for', async () => {
    issueTokens();
    routes[CURVE] = (_req, res) =>
      json(
        res,
        429,
        {
          error: 'too_many_requests',
          error_description: 'quota',
          nextAccessTime: '2026-11-24T21:30:00.000+01:00',
        },
        { 'Retry-After': '3' },
      );
    await expect(enedis().fetchLoadCurve(window)).rejects.toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 3000,
    });
  });

  it('refuses data for another meter', async () => {
    issueTokens();
    routes[CURVE] = (_req, res) => json(res, 200, curve('99999999999999'));
    await expect(enedis().fetchLoadCurve(window)).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('links a v2 consent through subscribed_services', async () => {
    issueTokens();
    routes['POST /subscribed_services/v1'] = (req, res) => {
      const body = JSON.parse(req.body) as { autorisationId: unknown };
      if (body.autorisationId !== 4242)
        return json(res, 404, { error: 'no_data_found', error_description: 'unknown' });
      json(res, 200, {
        nbTotalServices: 2,
        serviceSouscrit: [
          {
            serviceSouscritId: 1,
            pointId: PRM,
            dateDebut: '2026-01-01',
            dateFin: '2026-06-30',
            etatCode: 'TERMINE',
          },
          {
            serviceSouscritId: 2,
            pointId: PRM,
            dateDebut: '2026-07-01',
            dateFin: '2027-07-01',
            etatCode: 'ACTIF',
            mesuresTypeCode: 'COURBE',
            mesuresPas: 'P30M',
          },
        ],
      });
    };
    const p = enedis();
    const link = await p.completeLink(
      { code: 'c', state: 's', autorisationId: '4242' },
      { redirectUri: 'https://r/cb' },
    );
    expect(link.prm).toBe(PRM);
    expect(link.authorizationId).toBe('4242');
    expect(link.consentExpiresAt?.toISOString()).toBe('2027-07-01T22:00:00.000Z');
    expect(hits('/subscribed_services/v1')[0]?.headers['content-type']).toBe('application/json');
    await expect(
      p.completeLink(
        { code: 'c', state: 's', autorisationId: '7' },
        { redirectUri: 'https://r/cb' },
      ),
    ).rejects.toBeInstanceOf(AuthError);
    await expect(
      p.completeLink(
        { error: 'access_denied', errorDescription: 'no', state: 's' },
        { redirectUri: 'https://r/cb' },
      ),
    ).rejects.toThrow(/refused/);
  });

  it('speaks v5 when configured so', async () => {
    issueTokens();
    routes['GET /metering_data_clc/v5/consumption_load_curve'] = (_req, res) =>
      json(res, 200, {
        meter_reading: {
          usage_point_id: PRM,
          reading_type: { measurement_kind: 'power', unit: 'W', aggregate: 'average' },
          interval_reading: [
            {
              value: '540',
              date: '2019-05-06 03:00:00',
              interval_length: 'PT30M',
              measure_type: 'B',
            },
          ],
        },
      });
    const p = enedis({
      apiVersion: 'v5',
      consumptionLoadCurveUrl: '/metering_data_clc/v5/consumption_load_curve',
    });
    const r = await p.fetchLoadCurve({ ...window, fromDay: '2019-05-06', toDay: '2019-05-07' });
    expect(r.readings).toEqual([
      { start: new Date('2019-05-06T00:30:00Z'), intervalSeconds: 1800, kwh: 0.27 },
    ]);
    expect(Object.fromEntries(seen.at(-1)?.query ?? [])).toEqual({
      usage_point_id: PRM,
      start: '2019-05-06',
      end: '2019-05-07',
    });
  });
});

describe('ORES over HTTP', () => {
  const EAN = '541448820000000001';
  const verifier = 'v'.repeat(50);
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  function ores(now?: () => Date) {
    return createOresProvider(
      { ...DEFAULT_PROVIDER_SETTINGS.ores, baseUrl: base, clientId: 'be-app' },
      now ? { now } : {},
    );
  }

  function oresServer(): void {
    let n = 0;
    const valid = new Set<string>();
    routes['POST /oauth/token'] = (req, res) => {
      const f = new URLSearchParams(req.body);
      const grant = f.get('grant_type');
      if (grant === 'authorization_code') {
        const digest = createHash('sha256')
          .update(f.get('code_verifier') ?? '')
          .digest('base64url');
        if (f.get('code') !== 'code-1' || digest !== challenge)
          return json(res, 400, { error: 'invalid_grant' });
      } else if (grant === 'refresh_token') {
        const old = f.get('refresh_token') ?? '';
        if (!valid.delete(old)) return json(res, 400, { error: 'invalid_grant' });
      } else return json(res, 400, { error: 'unsupported_grant_type' });
      n++;
      valid.add(`refresh-${n}`);
      json(res, 200, {
        access_token: `access-${n}`,
        refresh_token: `refresh-${n}`,
        token_type: 'Bearer',
        expires_in: 3600,
        usage_point_id: EAN,
      });
    };
    routes['GET /v1/consumption_load_curve'] = (req, res) =>
      req.headers.authorization === 'Bearer access-2'
        ? json(res, 200, {
            usage_point_id: EAN,
            reading_type: { unit: 'Wh', aggregate: 'Sum', measuring_period: 'PT30M' },
            interval_readings: [
              {
                value: 12500,
                start: '2026-11-01T00:00:00+01:00',
                end: '2026-11-01T00:30:00+01:00',
              },
            ],
          })
        : json(res, 401, { error: 'invalid_token' });
    routes['POST /oauth/revoke'] = (_req, res) => json(res, 200, {});
  }

  it('links with PKCE, refreshes with rotation, reads the curve and revokes', async () => {
    oresServer();
    const t0 = Date.parse('2026-11-05T10:00:00Z');
    const p = ores(() => new Date(t0));
    const link = await p.completeLink(
      { code: 'code-1', state: 's' },
      { redirectUri: 'http://127.0.0.1:1/callback', codeVerifier: verifier },
    );
    expect(link.prm).toBe(EAN);
    expect(link.tokens).toEqual({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: new Date(t0 + 3600_000),
    });
    const form = Object.fromEntries(new URLSearchParams(hits('/oauth/token')[0]?.body));
    expect(form).toMatchObject({
      grant_type: 'authorization_code',
      code_verifier: verifier,
      client_id: 'be-app',
      redirect_uri: 'http://127.0.0.1:1/callback',
    });

    const req = {
      prm: EAN,
      kind: 'consumption' as const,
      fromDay: '2026-11-01',
      toDay: '2026-11-02',
      tokens: link.tokens,
    };
    await expect(p.fetchLoadCurve(req)).rejects.toMatchObject({
      kind: 'token_expired',
      status: 401,
    });

    const fresh = await p.refreshTokens(link.tokens);
    expect(fresh.refreshToken).toBe('refresh-2');
    await expect(p.refreshTokens(link.tokens)).rejects.toMatchObject({
      kind: 'consent_invalid',
      code: 'invalid_grant',
    });

    const r = await p.fetchLoadCurve({ ...req, tokens: fresh });
    expect(r.readings).toEqual([
      { start: new Date('2026-10-31T23:00:00Z'), intervalSeconds: 1800, kwh: 12.5 },
    ]);
    const q = hits('/v1/consumption_load_curve').at(-1)?.query;
    expect([q?.get('prm'), q?.get('start'), q?.get('end')]).toEqual([
      EAN,
      '2026-11-01T00:00:00+01:00',
      '2026-11-02T00:00:00+01:00',
    ]);

    expect(await p.revoke(fresh)).toBe(true);
    expect(hits('/oauth/revoke').map((h) => new URLSearchParams(h.body).get('token'))).toEqual([
      'refresh-2',
      'access-2',
    ]);
  });

  it('refuses a wrong code verifier as an auth problem, and skips the call with an expired token', async () => {
    oresServer();
    const p = ores();
    await expect(
      p.completeLink(
        { code: 'code-1', state: 's' },
        { redirectUri: 'http://127.0.0.1:1/callback', codeVerifier: 'w'.repeat(50) },
      ),
    ).rejects.toBeInstanceOf(AuthError);
    const expired = { accessToken: 'access-2', expiresAt: new Date(Date.now() - 1000) };
    const req = {
      prm: EAN,
      kind: 'consumption' as const,
      fromDay: '2026-11-01',
      toDay: '2026-11-02',
      tokens: expired,
    };
    await expect(p.fetchLoadCurve(req)).rejects.toMatchObject({ kind: 'token_expired' });
    expect(hits('/v1/consumption_load_curve')).toHaveLength(0);
  });
});
