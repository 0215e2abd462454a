/**
 * The Enedis application token: one bearer token for the whole application, obtained by
 * client credentials. It is cached until shortly before it expires; concurrent callers
 * share one in-flight request; a 401 on an API call makes the adapter drop it and fetch a
 * new one once.
 */
import { ConfigError } from '../domain/errors.js';
import { raceAbort } from './callChecks.js';
import { ProviderCallError } from './errors.js';
import { formBody, requestJson, type HttpDeps } from './http.js';
import type { ProviderSettings } from './types.js';

/** Renew this long before the announced expiry, so a token never dies mid-call. */
export const TOKEN_MARGIN_MS = 60_000;
/** Used when the answer does not say how long the token lives. */
const DEFAULT_LIFETIME_S = 3600;

export interface AppTokenSource {
  get(signal?: AbortSignal): Promise<string>;
  /** Forgets `token` if it is still the cached one (a 401 said it is no longer valid). */
  invalidate(token: string): void;
}

export function createAppTokenSource(settings: ProviderSettings, deps: HttpDeps): AppTokenSource {
  const now = deps.now ?? (() => new Date());
  let cached: { token: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const secret = settings.clientSecret;
    if (!settings.clientId) throw new ConfigError('providers.enedis.clientId is not set');
    if (!secret) {
      throw new ConfigError('The Enedis client secret is not set', {
        hint: 'Put it in the environment variable the configuration names for it.',
      });
    }
    const answer = await requestJson(
      {
        provider: 'Enedis',
        method: 'POST',
        url: settings.tokenUrl,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: formBody({
          grant_type: 'client_credentials',
          client_id: settings.clientId,
          client_secret: secret,
        }),
        timeoutMs: settings.timeoutMs,
        secrets: [secret],
      },
      deps,
    );
    const j = answer.json as Record<string, unknown> | null;
    const token = j && typeof j === 'object' ? j.access_token : undefined;
    if (typeof token !== 'string' || token === '') {
      throw new ProviderCallError('malformed', 'Enedis token answer has no access_token');
    }
    const raw = j?.expires_in;
    let lifetime = DEFAULT_LIFETIME_S;
    if (raw !== undefined && raw !== null) {
      // Enedis sends "12600" as a string; accept a number too.
      lifetime = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(lifetime) || lifetime <= 0) {
        throw new ProviderCallError(
          'malformed',
          'Enedis token answer has an unreadable expires_in',
        );
      }
    }
    const lifetimeMs = lifetime * 1000;
    // Short-lived tokens are renewed at half their life rather than never being reused.
    const margin = Math.min(TOKEN_MARGIN_MS, lifetimeMs / 2);
    cached = { token, renewAt: now().getTime() + lifetimeMs - margin };
    return token;
  }

  return {
    get(signal?: AbortSignal): Promise<string> {
      if (cached && now().getTime() < cached.renewAt) return Promise.resolve(cached.token);
      if (!inFlight) {
        // Not tied to one caller's signal: others may be waiting on the same request.
        inFlight = fetchToken().finally(() => {
          inFlight = null;
        });
      }
      return raceAbort(inFlight, signal);
    },
    invalidate(token: string): void {
      if (cached?.token === token) cached = null;
    },
  };
}
