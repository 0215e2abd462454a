import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterPowerW } from '../../../src/simulator/loadModel.js';
import { addDays, localDay, localDayStartUtc } from '../../../src/simulator/euTime.js';
import type { Simulator } from '../../../src/simulator/server.js';
import {
  consentRedirect,
  enedisAppToken,
  getJson,
  REDIRECT,
  startTestSimulator,
  type LoadCurve2026,
} from './helpers.js';

let sim: Simulator;
let clock: { ms: number };
let token: string;
let prm: string;

const curve = (
  p: string,
  from: string,
  to: string,
  path = 'courbe_de_charge_consommation',
): string =>
  `${sim.url}/mesure_synchrone_auto/v2/${path}?pointId=${p}&dateDebut=${from}&dateFin=${to}`;

beforeAll(async () => {
  ({ sim, clock } = await startTestSimulator({
    quotas: { enedisPerSecond: 1000, enedisPerHour: 100_000 },
  }));
  token = await enedisAppToken(sim);
  const location = await consentRedirect(
    `${sim.url}/dataconnect/v2/oauth2/authorize?client_id=app-id&response_type=code&state=s1&duration=P1Y&redirect_uri=${encodeURIComponent(REDIRECT)}`,
  );
  const res = await fetch(`${sim.url}/subscribed_services/v1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      autorisationId: Number(location.searchParams.get('autorisation_id')),
      comptage: false,
    }),
  });
  const body = (await res.json()) as { serviceSouscrit: Array<{ pointId: string }> };
  prm = body.serviceSouscrit[0]?.pointId ?? '';
});
afterAll(() => sim.close());

describe('Enedis consent and token', () => {
  it('v2 consent redirects with code, state and autorisation_id; subscribed_services gives the PRM', async () => {
    expect(prm).toMatch(/^\d{14}$/);
    expect(sim.meters().map((m) => m.prm)).toContain(prm);
    const res = await fetch(`${sim.url}/subscribed_services/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ autorisationId: 1, comptage: false }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('no_data_found');
  });

  it('v1 consent redirects with the usage_point_id; a refusal with access_denied', async () => {
    const q = `client_id=app-id&response_type=code&state=xyz&duration=P1Y&redirect_uri=${encodeURIComponent(REDIRECT)}`;
    const ok = await consentRedirect(`${sim.url}/dataconnect/v1/oauth2/authorize?${q}`);
    expect(ok.origin + ok.pathname).toBe(REDIRECT);
    expect(ok.searchParams.get('code')).toBeTruthy();
    expect(ok.searchParams.get('state')).toBe('xyz');
    expect(ok.searchParams.get('usage_point_id')).toMatch(/^\d{14}$/);
    sim.setConsent('deny');
    const denied = await consentRedirect(`${sim.url}/dataconnect/v2/oauth2/authorize?${q}`);
    sim.setConsent('approve');
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('xyz');
    expect(denied.searchParams.get('code')).toBeNull();
  });

  it('gives expires_in as a string and refuses a wrong client', async () => {
    const res = await fetch(`${sim.url}/oauth2/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=app-id&client_secret=app-secret',
    });
    expect(((await res.json()) as { expires_in: unknown }).expires_in).toBe('12600');
    const bad = await fetch(`${sim.url}/oauth2/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=app-id&client_secret=wrong',
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client');
    // The application token expires after 12600 s.
    const url = `${sim.url}/mesure_synchrone_auto/v2/courbe_de_charge_consommation?pointId=${prm}&dateDebut=2026-11-09&dateFin=2026-11-10`;
    expect((await getJson(url, token)).status).toBe(200);
    clock.ms += 12_601_000;
    const expired = await getJson(url, token);
    clock.ms -= 12_601_000;
    expect(expired).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  });
});

describe('Enedis load curves', () => {
  it('serves a week in the 2026 shape: local end times, W strings equal to the model', async () => {
    const { status, body } = await getJson(curve(prm, '2026-11-09', '2026-11-16'), token);
    expect(status).toBe(200);
    const lc = body as unknown as LoadCurve2026;
    expect(lc.idPrm).toBe(prm);
    const g = lc.grandeur[0]!;
    expect(g.grandeurMetier).toBe('CONS');
    expect(g.unite).toBe('W');
    expect(g.points).toHaveLength(7 * 48);
    expect(g.points[0]).toMatchObject({ d: '2026-11-09 00:30:00', p: 'PT30M', n: 'B' });
    expect(g.points.at(-1)?.d).toBe('2026-11-16 00:00:00');
    const meter = sim.meters().find((m) => m.prm === prm)!;
    const firstStart = localDayStartUtc('2026-11-09');
    expect(Number(g.points[0]!.v)).toBe(meterPowerW(meter, firstStart, 30));
    expect(Number(g.points[1]!.v)).toBe(meterPowerW(meter, firstStart + 1_800_000, 30));
  });

  it('serves the same values in the v5 shape', async () => {
    const a = await getJson(curve(prm, '2026-11-09', '2026-11-10'), token);
    const b = await getJson(
      `${sim.url}/metering_data_clc/v5/consumption_load_curve?usage_point_id=${prm}&start=2026-11-09&end=2026-11-10`,
      token,
    );
    expect(b.status).toBe(200);
    const mr = b.body['meter_reading'] as {
      reading_type: { unit: string; aggregate: string };
      interval_reading: Array<{ value: string; date: string; interval_length: string }>;
    };
    expect(mr.reading_type).toMatchObject({ unit: 'W', aggregate: 'average' });
    const points = (a.body as unknown as LoadCurve2026).grandeur[0]!.points;
    expect(mr.interval_reading.map((r) => [r.value, r.date, r.interval_length])).toEqual(
      points.map((p) => [p.v, p.d, p.p]),
    );
  });

  it('serves the October DST day as 50 points with the 02:xx hour twice, in order', async () => {
    const { body } = await getJson(curve(prm, '2026-10-25', '2026-10-26'), token);
    const d = (body as unknown as LoadCurve2026).grandeur[0]!.points.map((p) => p.d);
    expect(d).toHaveLength(50);
    expect(d.filter((x) => x.startsWith('2026-10-25 02:'))).toEqual([
      '2026-10-25 02:00:00',
      '2026-10-25 02:30:00',
      '2026-10-25 02:00:00',
      '2026-10-25 02:30:00',
    ]);
    const march = await getJson(curve(prm, '2026-03-29', '2026-03-30'), token);
    expect((march.body as unknown as LoadCurve2026).grandeur[0]!.points).toHaveLength(46);
  });

  it('daily consumption sums the load curve in Wh', async () => {
    const lc = await getJson(curve(prm, '2026-11-10', '2026-11-11'), token);
    const wh = (lc.body as unknown as LoadCurve2026).grandeur[0]!.points.reduce(
      (s, p) => s + Number(p.v) / 2,
      0,
    );
    const daily = await getJson(
      curve(prm, '2026-11-10', '2026-11-12', 'consommation_quotidienne'),
      token,
    );
    const g = (daily.body as unknown as LoadCurve2026).grandeur[0]!;
    expect(g.unite).toBe('Wh');
    expect(g.points.map((p) => p.d)).toEqual(['2026-11-10', '2026-11-11']);
    expect(Number(g.points[0]!.v)).toBe(Math.round(wh));
  });

  it('answers production with a valid curve', async () => {
    const { status, body } = await getJson(
      curve(prm, '2026-11-10', '2026-11-11', 'courbe_de_charge_production'),
      token,
    );
    expect(status).toBe(200);
    const g = (body as unknown as LoadCurve2026).grandeur[0]!;
    expect(g.grandeurMetier).toBe('PROD');
    expect(g.points).toHaveLength(48);
  });

  it('enforces the limits with the provider error codes', async () => {
    const err = async (url: string, t: string | undefined = token) => {
      const r = await getJson(url, t);
      return [r.status, r.body['error']];
    };
    expect(await err(curve(prm, '2026-11-01', '2026-11-09'))).toEqual([400, 'ADAM-ERR0069']);
    expect(await err(curve(prm, '2026-11-24', '2026-11-28'))).toEqual([400, 'ADAM-ERR0125']);
    expect(await err(curve(prm, '2026-11-24', '2026-11-25'))).toEqual([404, 'no_data_found']);
    expect(await err(curve(prm, '2024-11-01', '2024-11-02'))).toEqual([400, 'ADAM-ERR0123']);
    expect(await err(curve('12345678901234', '2026-11-09', '2026-11-10'))).toEqual([
      403,
      'ADAM-DC-0008',
    ]);
    expect(await err(curve(prm, '2026-11-09', '2026-11-10'), 'not-a-token')).toEqual([
      401,
      'invalid_token',
    ]);
    // A meter activated recently: before its activation the provider refuses.
    const recent = sim
      .createMeters('enedis', 4)
      .find((m) => m.activationDate.getTime() > Date.parse('2024-11-25'))!;
    const activationDay = localDay(recent.activationDate.getTime());
    expect(
      await err(curve(recent.prm, addDays(activationDay, -1), addDays(activationDay, 2))),
    ).toEqual([400, 'ADAM-ERR0123']);
    expect(
      (await getJson(curve(recent.prm, activationDay, addDays(activationDay, 2)), token)).status,
    ).toBe(200);
    sim.revokeConsent(prm);
    expect(await err(curve(prm, '2026-11-09', '2026-11-10'))).toEqual([403, 'ADAM-DC-0008']);
  });
});
