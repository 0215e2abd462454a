/**
 * ORES adapter (Belgium), as the seed describes it: authorization code with PKCE (S256),
 * per-meter access and refresh tokens (the refresh token rotates), and a load curve of Wh
 * per interval over a window of local Brussels days.
 */
import { AuthError, ConfigError } from '../domain/errors.js';
import { checkPrm, checkWindow } from './callChecks.js';
import { isProviderCallError, ProviderCallError } from './errors.js';
import { formBody, requestJson, withQuery, type HttpDeps as ProviderDeps } from './http.js';
import { addDays, localDayOf } from '../domain/localDays.js';
import { localDayStartIso } from './localTime.js';
import { ORES_PRM } from './meterIds.js';
import { parseOresLoadCurve } from './parseOres.js';
import { resolveProviderUrls } from './settings.js';
import type {
  AuthorizeRequest,
  CallbackParams,
  DeviceTokens,
  LinkResult,
  LoadCurveRequest,
  LoadCurveResult,
  OresSettings,
  Provider,
} from './types.js';

export function createOresProvider(input: OresSettings, deps: ProviderDeps = {}): Provider {
  const settings = resolveProviderUrls(input);
  const now = deps.now ?? (() => new Date());
  const http = { ...(deps.fetch ? { fetch: deps.fetch } : {}), now };

  function requireClientId(): string {
    if (!settings.clientId) throw new ConfigError('providers.ores.clientId is not set');
    return settings.clientId;
  }

  /** POST to the token endpoint; returns the tokens and the raw answer. */
  async function tokenCall(fields: Record<string, string>, signal?: AbortSignal) {
    const secret = settings.clientSecret || undefined;
    const answer = await requestJson(
      {
        provider: 'ORES',
        method: 'POST',
        url: settings.tokenUrl,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: formBody({ ...fields, client_id: requireClientId(), client_secret: secret }),
        timeoutMs: settings.timeoutMs,
        // Codes, verifiers and tokens; not the grant type, which messages may name.
        secrets: [
          ...Object.entries(fields)
            .filter(([k]) => k !== 'grant_type')
            .map(([, v]) => v),
          ...(secret ? [secret] : []),
        ],
        ...(signal ? { signal } : {}),
      },
      http,
    );
    return readTokens(answer.json, now());
  }

  function checkSaidPrm(said: string): string {
    try {
      return checkPrm(said, ORES_PRM);
    } catch (e) {
      throw new AuthError(`ORES sent an unusable usage_point_id: ${(e as Error).message}`);
    }
  }

  /**
   * One data call for yesterday with the new tokens: ORES refusing this meter, or answering
   * about another one, means the consent covers another meter. No data (a new meter) is no
   * disagreement: the sync checks every later answer the same way.
   */
  async function confirmMeter(prm: string, tokens: DeviceTokens, signal?: AbortSignal) {
    const today = localDayOf(now(), settings.timeZone);
    try {
      await fetchCurve({
        prm,
        kind: 'consumption',
        fromDay: addDays(today, -1),
        toDay: today,
        tokens,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (!isProviderCallError(e)) throw e;
      // No data, or a period ORES will not serve (before activation): nothing to disagree with.
      if (e.kind === 'no_data' || e.kind === 'bad_request') return;
      if (e.kind === 'consent_invalid' || e.kind === 'malformed') {
        throw new AuthError(
          `the consent given at ORES covers another meter, not ${prm}; nothing was stored (${e.message})`,
          { hint: `run the link again and choose meter ${prm} on the ORES page`, cause: e },
        );
      }
      throw e;
    }
  }

  async function fetchCurve(req: LoadCurveRequest): Promise<LoadCurveResult> {
    const prm = checkPrm(req.prm, ORES_PRM);
    checkWindow(req.fromDay, req.toDay, settings.maxDaysPerCall);
    const token = req.tokens.accessToken;
    // An access token known to be dead would only spend one of the building's calls.
    if (!token || (req.tokens.expiresAt && req.tokens.expiresAt.getTime() <= now().getTime())) {
      throw new ProviderCallError('token_expired', 'The ORES access token has expired');
    }
    const base =
      req.kind === 'production'
        ? settings.productionLoadCurveUrl
        : settings.consumptionLoadCurveUrl;
    const url = withQuery(base, {
      prm,
      start: localDayStartIso(req.fromDay, settings.timeZone),
      end: localDayStartIso(req.toDay, settings.timeZone),
    });
    const answer = await requestJson(
      {
        provider: 'ORES',
        method: 'GET',
        url,
        headers: { Authorization: `Bearer ${token}` },
        timeoutMs: settings.timeoutMs,
        ...(req.signal ? { signal: req.signal } : {}),
      },
      http,
    );
    const json = answer.json as Record<string, unknown> | null;
    const said = json && typeof json === 'object' ? json.usage_point_id : undefined;
    if (typeof said === 'string' && said !== '' && said !== prm) {
      throw new ProviderCallError('malformed', `ORES answered for meter ${said}, not ${prm}`);
    }
    return { readings: parseOresLoadCurve(answer.json) };
  }

  return {
    name: 'ores',
    settings,

    authorizeUrl(req: AuthorizeRequest): string {
      if (!req.codeChallenge) {
        throw new AuthError('ORES consent needs a PKCE code challenge (S256)');
      }
      return withQuery(settings.authorizeUrl, {
        response_type: 'code',
        client_id: requireClientId(),
        redirect_uri: req.redirectUri,
        state: req.state,
        code_challenge: req.codeChallenge,
        code_challenge_method: 'S256',
        scope: 'consumption',
        // The seed's configure request carries the meter the user names.
        ...(req.meterId ? { prm: req.meterId } : {}),
      });
    },

    async completeLink(params: CallbackParams, ctx): Promise<LinkResult> {
      if (params.error) {
        const why = params.errorDescription ? ` (${params.errorDescription})` : '';
        throw new AuthError(`Consent refused at ORES: ${params.error}${why}`, {
          hint: 'Run link again and accept the data sharing on the ORES page.',
        });
      }
      if (!params.code) throw new AuthError('The ORES callback carried no authorization code');
      if (!ctx.codeVerifier) throw new AuthError('The PKCE code verifier of this link is missing');
      let got: ReturnType<typeof readTokens>;
      try {
        got = await tokenCall(
          {
            grant_type: 'authorization_code',
            code: params.code,
            redirect_uri: ctx.redirectUri,
            code_verifier: ctx.codeVerifier,
          },
          ctx.signal,
        );
      } catch (e) {
        if (isProviderCallError(e) && e.kind === 'consent_invalid') {
          throw new AuthError(`ORES refused the authorization code (${e.code ?? e.status})`, {
            hint: 'Codes are single-use and short-lived: run link again.',
            cause: e,
          });
        }
        throw e;
      }
      const said = got.usagePointId ?? params.usagePointId;
      if (said) return { prm: checkSaidPrm(said), tokens: got.tokens };
      // The documented token answer does not name the meter: the PRM the user gave links it,
      // and the first data answer must be about that meter.
      if (!ctx.meterId) {
        throw new AuthError('ORES did not say which meter the consent covers', {
          hint: 'Give the meter with --prm (its 18-digit EAN) and run link again.',
        });
      }
      const prm = checkSaidPrm(ctx.meterId);
      await confirmMeter(prm, got.tokens, ctx.signal);
      return { prm, tokens: got.tokens };
    },

    async refreshTokens(tokens: DeviceTokens, signal?: AbortSignal): Promise<DeviceTokens> {
      if (!tokens.refreshToken) {
        throw new ProviderCallError(
          'consent_invalid',
          'No ORES refresh token is stored for this meter',
          {
            hint: 'Link the meter again.',
          },
        );
      }
      const got = await tokenCall(
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        signal,
      );
      // Rotation: the answer's refresh token replaces the old one, which is now invalid.
      // A server that does not rotate leaves it out, and the old one stays good.
      return { ...got.tokens, refreshToken: got.tokens.refreshToken ?? tokens.refreshToken };
    },

    async revoke(tokens: DeviceTokens, signal?: AbortSignal): Promise<boolean> {
      const revokeUrl = settings.revokeUrl;
      if (!revokeUrl) return false;
      // Revoking the refresh token ends the grant; the access token too, in case it outlives it.
      const list = [tokens.refreshToken, tokens.accessToken].filter((t): t is string => !!t);
      if (list.length === 0) return false;
      for (const token of list) {
        await requestJson(
          {
            provider: 'ORES',
            method: 'POST',
            url: revokeUrl,
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
            body: formBody({ token, client_id: requireClientId() }),
            timeoutMs: settings.timeoutMs,
            secrets: [token],
            ...(signal ? { signal } : {}),
          },
          http,
        );
      }
      return true;
    },

    fetchLoadCurve: fetchCurve,
  };
}

/** The token endpoint's answer: access token (required), refresh token, lifetime, meter. */
function readTokens(json: unknown, now: Date): { tokens: DeviceTokens; usagePointId?: string } {
  const o = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  if (typeof o.access_token !== 'string' || o.access_token === '') {
    throw new ProviderCallError('malformed', 'ORES token answer has no access_token');
  }
  const tokens: DeviceTokens = { accessToken: o.access_token };
  if (typeof o.refresh_token === 'string' && o.refresh_token !== '')
    tokens.refreshToken = o.refresh_token;
  const raw = o.expires_in;
  if (raw !== undefined && raw !== null) {
    const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new ProviderCallError('malformed', 'ORES token answer has an unreadable expires_in');
    }
    tokens.expiresAt = new Date(now.getTime() + seconds * 1000);
  }
  const out: { tokens: DeviceTokens; usagePointId?: string } = { tokens };
  if (typeof o.usage_point_id === 'string' && o.usage_point_id !== '')
    out.usagePointId = o.usage_point_id;
  // A number only when exact: an 18-digit EAN does not fit in a double.
  else if (typeof o.usage_point_id === 'number' && Number.isSafeInteger(o.usage_point_id)) {
    out.usagePointId = String(o.usage_point_id);
  }
  return out;
}
