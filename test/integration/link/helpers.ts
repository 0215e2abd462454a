/**
 * Shared pieces of the link tests: a simulator with a fixed clock, a Config pointed at it,
 * a logger whose lines the tests can read, and "browsers" built on fetch.
 */
import { resolveConfig, type Config } from '../../../src/config.js';
import { createLogger, type Logger } from '../../../src/ui/logger.js';
import { startSimulator, type Simulator } from '../../../src/simulator/server.js';

export const NOW = new Date('2026-11-24T12:00:00Z');
export const KEY_A = 'a'.repeat(64);
export const KEY_B = '0123456789abcdef'.repeat(4);

export function startTestSimulator(): Promise<Simulator> {
  return startSimulator({
    port: 0,
    seed: 7,
    now: () => NOW,
    enedisClientId: 'app-id',
    enedisClientSecret: 'app-secret',
    oresClientId: 'ores-app',
  });
}

/** The environment of a user pointing the tool at the simulator. */
export function simEnv(sim: Simulator, extra: Record<string, string | undefined> = {}) {
  return {
    KOPROGO_IOT_ENEDIS_BASE_URL: sim.url,
    KOPROGO_IOT_ENEDIS_CLIENT_ID: 'app-id',
    KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'app-secret',
    KOPROGO_IOT_ORES_BASE_URL: sim.url,
    KOPROGO_IOT_ORES_CLIENT_ID: 'ores-app',
    IOT_ENCRYPTION_KEY: KEY_A,
    ...extra,
  };
}

export function simConfig(
  sim: Simulator,
  extra: Record<string, string | undefined> = {},
  file: Record<string, unknown> = {},
): Config {
  return resolveConfig(file, simEnv(sim, extra), {}, null);
}

/** A logger that keeps its lines, so tests can check that no token was logged. */
export function captureLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    stream: { write: (s: string) => lines.push(s) },
    json: true,
    level: 'debug',
    color: false,
  });
  return { log, lines };
}

/** A browser that follows every redirect: consent page, then the loopback listener. */
export async function followRedirects(url: string): Promise<void> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10_000) });
  await res.text();
}

/** The redirect_uri a consent URL carries (the loopback listener's address). */
export function redirectUriOf(url: string): string {
  const r = new URL(url).searchParams.get('redirect_uri');
  if (!r) throw new Error(`no redirect_uri in ${url}`);
  return r;
}

export { portClosed } from '../../helpers/net.js';
