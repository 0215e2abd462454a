import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/simulator/server.js';
import { consentRedirect, getJson, pkcePair, REDIRECT, startTestSimulator } from './helpers.js';

let sim: Simulator;
let clock: { ms: number };

beforeAll(async () => {
  ({ sim, clock } = await startTestSimulator({ quotas: { oresMinIntervalMs: 0 } }));
});
afterAll(() => sim.close());

function authorizeUrl(challenge: string, state = 'st'): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: 'ores-app',
    redirect_uri: REDIRECT,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'consumption',
  });
  return `${sim.url}/oauth/authorize?${q}`;
}

async function postForm(path: string, form: Record<string, string>) {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function link(): Promise<{ access: string; refresh: string; prm: string }> {
  const { verifier, challenge } = pkcePair();
  const code = (await consentRedirect(authorizeUrl(challenge))).searchParams.get('code') ?? '';
  const r = await postForm('/oauth/token', {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    client_id: 'ores-app',
    code_verifier: verifier,
  });
  expect(r.status).toBe(200);
  return {
    access: r.body['access_token'] as string,
    refresh: r.body['refresh_token'] as string,
    prm: r.body['usage_point_id'] as string,
  };
}

const curveUrl = (prm: string, start: string, end: string): string =>
  `${sim.url}/v1/consumption_load_curve?prm=${prm}&start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`;

describe('ORES consent and tokens', () => {
  it('checks the PKCE verifier and uses each code once', async () => {
    const { verifier, challenge } = pkcePair();
    const location = await consentRedirect(authorizeUrl(challenge, 'abc'));
    expect(location.searchParams.get('state')).toBe('abc');
    const code = location.searchParams.get('code') ?? '';
    const wrong = await postForm('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'ores-app',
      code_verifier: pkcePair().verifier,
    });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const linked = await link();
    expect(linked.prm).toMatch(/^5414\d{14}$/);
    const reuse = await postForm('/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: 'ores-app',
      code_verifier: verifier,
    });
    expect(reuse.status).toBe(400);
  });

  it('refuses a consent without S256 PKCE and reports a refusal', async () => {
    const noPkce = await consentRedirect(
      authorizeUrl('').replace('code_challenge_method=S256', 'code_challenge_method=plain'),
    );
    expect(noPkce.searchParams.get('error')).toBe('invalid_request');
    sim.setConsent('deny');
    const denied = await consentRedirect(authorizeUrl(pkcePair().challenge, 'zz'));
    sim.setConsent('approve');
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('zz');
  });

  it('rotates refresh tokens: the old one is refused after use', async () => {
    const { refresh, prm } = await link();
    const first = await postForm('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'ores-app',
    });
    expect(first.status).toBe(200);
    expect(first.body['refresh_token']).not.toBe(refresh);
    expect(first.body['expires_in']).toBe(3600);
    const again = await postForm('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'ores-app',
    });
    expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const r = await getJson(
      curveUrl(prm, '2026-11-02T00:00:00+01:00', '2026-11-03T00:00:00+01:00'),
      first.body['access_token'] as string,
    );
    expect(r.status).toBe(200);
  });

  it('expires access tokens, and revocation ends the grant', async () => {
    const { access, refresh, prm } = await link();
    const url = curveUrl(prm, '2026-11-02T00:00:00+01:00', '2026-11-03T00:00:00+01:00');
    clock.ms += 3601_000;
    const expired = await getJson(url, access);
    clock.ms -= 3601_000;
    expect(expired).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(
      (await postForm('/oauth/revoke', { token: refresh, client_id: 'ores-app' })).status,
    ).toBe(200);
    expect((await getJson(url, access)).status).toBe(401);
    const after = await postForm('/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'ores-app',
    });
    expect(after.body['error']).toBe('invalid_grant');
  });
});

describe('ORES load curve', () => {
  it('serves Wh integers with RFC 3339 bounds, 50 intervals on the October DST day', async () => {
    const halfHourly = Array.from({ length: 5 }, () => sim.createMeters('ores', 1)[0]!).find(
      (m) => m.stepMinutes === 30,
    )!;
    const prm = halfHourly.prm;
    const access = sim.issueOresTokens(prm).access_token;
    const { status, body } = await getJson(
      curveUrl(prm, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00'),
      access,
    );
    expect(status).toBe(200);
    expect(body['reading_type']).toEqual({
      unit: 'Wh',
      aggregate: 'Sum',
      measuring_period: 'PT30M',
    });
    const rows = body['interval_readings'] as Array<{ value: number; start: string; end: string }>;
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatchObject({
      start: '2026-10-25T00:00:00+02:00',
      end: '2026-10-25T00:30:00+02:00',
    });
    expect(rows.filter((r) => r.start.startsWith('2026-10-25T02:')).map((r) => r.start)).toEqual([
      '2026-10-25T02:00:00+02:00',
      '2026-10-25T02:30:00+02:00',
      '2026-10-25T02:00:00+01:00',
      '2026-10-25T02:30:00+01:00',
    ]);
    expect(rows.every((r) => Number.isInteger(r.value) && r.value > 0)).toBe(true);
  });

  it('answers 403 for another meter, 400 past 7 days, 404 without data', async () => {
    const a = await link();
    const b = await link();
    const week = ['2026-11-02T00:00:00+01:00', '2026-11-03T00:00:00+01:00'] as const;
    expect((await getJson(curveUrl(b.prm, ...week), a.access)).body['error']).toBe('access_denied');
    const long = await getJson(
      curveUrl(a.prm, '2026-11-01T00:00:00+01:00', '2026-11-09T00:00:00+01:00'),
      a.access,
    );
    expect(long.status).toBe(400);
    const today = await getJson(
      curveUrl(a.prm, '2026-11-24T00:00:00+01:00', '2026-11-25T00:00:00+01:00'),
      a.access,
    );
    expect(today).toMatchObject({ status: 404, body: { error: 'no_data_found' } });
  });
});

describe('ORES per-meter rate limit', () => {
  it('answers 429 with Retry-After to a second call within 2 s on one meter', async () => {
    const { sim: limited } = await startTestSimulator({ quotaClock: () => 1000 });
    try {
      const [m] = limited.createMeters('ores', 1);
      const t = limited.issueOresTokens(m!.prm);
      const url = `${limited.url}/v1/consumption_load_curve?prm=${m!.prm}&start=${encodeURIComponent('2026-11-02T00:00:00+01:00')}&end=${encodeURIComponent('2026-11-03T00:00:00+01:00')}`;
      expect((await getJson(url, t.access_token)).status).toBe(200);
      const second = await getJson(url, t.access_token);
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});
