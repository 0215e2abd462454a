import { createHash, randomBytes } from 'node:crypto';
import {
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../src/simulator/server.js';

export const NOW_ISO = '2026-11-24T12:00:00Z';

/** A simulator on a free 127.0.0.1 port with a clock the test can move. */
export async function startTestSimulator(
  opts: SimulatorOptions = {},
): Promise<{ sim: Simulator; clock: { ms: number } }> {
  const clock = { ms: Date.parse(NOW_ISO) };
  const sim = await startSimulator({
    seed: 42,
    now: () => new Date(clock.ms),
    enedisClientId: 'app-id',
    enedisClientSecret: 'app-secret',
    oresClientId: 'ores-app',
    ...opts,
  });
  return { sim, clock };
}

export async function enedisAppToken(sim: Simulator): Promise<string> {
  const res = await fetch(`${sim.url}/oauth2/v3/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=app-id&client_secret=app-secret',
  });
  if (res.status !== 200) throw new Error(`token: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export function getJson(
  url: string,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(
    async (res) => ({
      status: res.status,
      headers: res.headers,
      body: (await res.json()) as Record<string, unknown>,
    }),
  );
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const REDIRECT = 'http://127.0.0.1:53682/callback';

/** Follows nothing: returns the Location of a consent page's 302. */
export async function consentRedirect(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`consent page answered ${res.status}`);
  return new URL(res.headers.get('location') ?? '');
}

export interface LoadCurve2026 {
  idPrm: string;
  periode: { dateDebut: string; dateFin: string };
  grandeur: Array<{
    grandeurMetier: string;
    unite: string;
    points: Array<{ v: string; d: string; p: string; n: string }>;
  }>;
}
