import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../src/simulator/server.js';
import { enedisAppToken, getJson, startTestSimulator } from './helpers.js';

let sim: Simulator;
let token: string;
let prm: string;

const dayCurve = (): string =>
  `${sim.url}/mesure_synchrone_auto/v2/courbe_de_charge_consommation?pointId=${prm}&dateDebut=2026-11-10&dateFin=2026-11-11`;

beforeAll(async () => {
  ({ sim } = await startTestSimulator({
    quotas: { enedisPerSecond: 100_000, enedisPerHour: 1_000_000 },
  }));
  token = await enedisAppToken(sim);
  prm = sim.createMeters('enedis', 1)[0]!.prm;
});
afterAll(() => sim.close());

async function statusOf(url: string): Promise<number> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}

describe('fault injection', () => {
  it('roughly honours a 50 % rate of 500s over 200 calls', async () => {
    sim.setFaults({ rate500: 0.5 });
    let failed = 0;
    for (let i = 0; i < 200; i++) if ((await statusOf(dayCurve())) === 500) failed++;
    sim.setFaults({});
    expect(failed).toBeGreaterThanOrEqual(60);
    expect(failed).toBeLessThanOrEqual(140);
    expect(await statusOf(dayCurve())).toBe(200);
  });

  it('serves 503s and 429s with a nextAccessTime', async () => {
    sim.setFaults({ rate503: 1 });
    expect(await statusOf(dayCurve())).toBe(503);
    sim.setFaults({ rate429: 1 });
    const r = await getJson(dayCurve(), token);
    sim.setFaults({});
    expect(r.status).toBe(429);
    expect(r.body['nextAccessTime']).toMatch(/^2026-11-24T13:00:01\.000\+01:00$/);
  });

  it('sends bodies a parser must reject, and cuts transfers off', async () => {
    sim.setFaults({ malformedRate: 1 });
    const bodies: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(dayCurve(), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      bodies.push(await res.text());
    }
    const valid = bodies.filter((b) => {
      try {
        const points = (JSON.parse(b) as { grandeur?: Array<{ points?: Array<{ v: string }> }> })
          .grandeur?.[0]?.points;
        return !!points && points.every((p) => /^\d+$/.test(p.v));
      } catch {
        return false;
      }
    });
    expect(valid).toEqual([]);
    sim.setFaults({ truncatedRate: 1 });
    const res = await fetch(dayCurve(), { headers: { authorization: `Bearer ${token}` } });
    await expect(res.text()).rejects.toThrow();
    sim.setFaults({});
  });

  it('leaves requests hanging until the client gives up', async () => {
    sim.setFaults({ timeoutRate: 1 });
    const before = sim.stats().faults.timeout;
    await expect(
      fetch(dayCurve(), {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    sim.setFaults({});
    expect(sim.stats().faults.timeout).toBe(before + 1);
  });
});

describe('Enedis quota', () => {
  // The 2026 APIs answer a quota with a bare body naming it (Quota Q3 per second, Quota Q4
  // or SLA dépassé per hour), no Retry-After and no nextAccessTime; v5 paths keep
  // nextAccessTime and, on about half of the answers, Retry-After.
  it('2026 APIs: "Quota Q3 reached" past the per-second quota, without any time to wait for', async () => {
    const { sim: limited } = await startTestSimulator({
      quotas: { enedisPerSecond: 3 },
      quotaClock: () => 5000,
    });
    try {
      const t = await enedisAppToken(limited);
      const p = limited.createMeters('enedis', 1)[0]!.prm;
      const url = `${limited.url}/mesure_synchrone_auto/v2/courbe_de_charge_consommation?pointId=${p}&dateDebut=2026-11-10&dateFin=2026-11-11`;
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await getJson(url, t));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      for (const a of answers.slice(3)) {
        expect(a.body).toEqual({ code: '429', message: 'Quota Q3 reached' });
        expect(a.headers.get('retry-after')).toBeNull();
      }
    } finally {
      await limited.close();
    }
  });

  it('2026 APIs: "Quota Q4 reached" then "SLA dépassé" past the hourly quota', async () => {
    const { sim: limited } = await startTestSimulator({
      quotas: { enedisPerSecond: 100, enedisPerHour: 2 },
    });
    try {
      const t = await enedisAppToken(limited);
      const p = limited.createMeters('enedis', 1)[0]!.prm;
      const url = `${limited.url}/mesure_synchrone_auto/v2/consommation_quotidienne?pointId=${p}&dateDebut=2026-11-10&dateFin=2026-11-11`;
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await getJson(url, t));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 429]);
      expect(answers.slice(2).map((a) => a.body['message'])).toEqual([
        'Quota Q4 reached',
        'SLA dépassé',
      ]);
      expect(answers[2]?.body['nextAccessTime']).toBeUndefined();
    } finally {
      await limited.close();
    }
  });

  it('v5 APIs: 429 with nextAccessTime and sometimes Retry-After', async () => {
    const { sim: limited } = await startTestSimulator({
      quotas: { enedisPerSecond: 3 },
      quotaClock: () => 5000,
    });
    try {
      const t = await enedisAppToken(limited);
      const p = limited.createMeters('enedis', 1)[0]!.prm;
      const url = `${limited.url}/metering_data_clc/v5/consumption_load_curve?usage_point_id=${p}&start=2026-11-10&end=2026-11-11`;
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await getJson(url, t));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429, 429]);
      for (const a of answers.slice(3)) {
        expect(a.body['error']).toBe('too_many_requests');
        expect(a.body['nextAccessTime']).toMatch(/^2026-11-24T13:00:01\.000\+01:00$/);
      }
      const withHeader = answers.slice(3).filter((a) => a.headers.get('retry-after') === '1');
      expect(withHeader.length).toBeGreaterThanOrEqual(1);
      expect(withHeader.length).toBeLessThan(3);
      expect(limited.stats().rateLimited).toBe(3);
    } finally {
      await limited.close();
    }
  });
});

describe('/_sim/ endpoints', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('creates ORES meters with working tokens and lists them', async () => {
    const res = await post('/_sim/meters', { provider: 'ores', count: 3 });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Array<{
      prm: string;
      access_token: string;
      refresh_token: string;
      expires_in: number;
    }>;
    expect(created).toHaveLength(3);
    expect(new Set(created.map((c) => c.prm)).size).toBe(3);
    const c = created[0]!;
    expect(c.expires_in).toBe(3600);
    const url = `${sim.url}/v1/consumption_load_curve?prm=${c.prm}&start=${encodeURIComponent('2026-11-02T00:00:00+01:00')}&end=${encodeURIComponent('2026-11-03T00:00:00+01:00')}`;
    expect((await getJson(url, c.access_token)).status).toBe(200);
    const list = (await getJson(`${sim.url}/_sim/meters`)).body as unknown as Array<{
      prm: string;
      provider: string;
    }>;
    expect(list.filter((m) => m.provider === 'ores').map((m) => m.prm)).toEqual(
      created.map((x) => x.prm),
    );
    const bad = await post('/_sim/meters', { provider: 'edf', count: 1 });
    expect(bad.status).toBe(400);
  });

  it('gives the ground truth, the stats, and changes faults and consent', async () => {
    const truth = await getJson(`${sim.url}/_sim/meters/${prm}/anomalies`);
    expect(truth.status).toBe(200);
    const kinds = (truth.body as unknown as Array<{ kind: string }>).map((a) => a.kind);
    expect(kinds).toContain('night_baseload');
    expect((await getJson(`${sim.url}/_sim/meters/99999999999999/anomalies`)).status).toBe(404);

    const stats = (await getJson(`${sim.url}/_sim/stats`)).body as {
      calls: Record<string, number>;
      serverErrors: number;
      maxConcurrent: number;
    };
    expect(stats.calls['/mesure_synchrone_auto/v2/courbe_de_charge_consommation']).toBeGreaterThan(
      200,
    );
    expect(stats.serverErrors).toBeGreaterThan(60);
    expect(stats.maxConcurrent).toBeGreaterThanOrEqual(1);

    expect((await post('/_sim/faults', { rate500: 2 })).status).toBe(400);
    expect((await post('/_sim/faults', { rate503: 1 })).status).toBe(200);
    expect(await statusOf(dayCurve())).toBe(503);
    expect((await post('/_sim/faults', {})).status).toBe(200);
    expect(await statusOf(dayCurve())).toBe(200);

    expect((await post('/_sim/consent', { mode: 'deny' })).status).toBe(200);
    const page = await fetch(
      `${sim.url}/dataconnect/v2/oauth2/authorize?client_id=app-id&response_type=code&state=q&duration=P1Y&redirect_uri=${encodeURIComponent('http://127.0.0.1:1/cb')}`,
      { redirect: 'manual' },
    );
    expect(new URL(page.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'access_denied',
    );
    expect((await post('/_sim/consent', { mode: 'maybe' })).status).toBe(400);
    await post('/_sim/consent', { mode: 'approve' });
  });
});
