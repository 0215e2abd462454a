/**
 * The HTTP calls of the ORES adapter: token endpoint, load curves, revocation. Every URL
 * comes from the settings; tokens, codes and secrets never reach a message.
 */
import { ConfigError } from '../domain/errors.js';
import { checkPrm, checkWindow } from './callChecks.js';
import { ProviderCallError } from './errors.js';
import { formBody, requestJson, withQuery, type HttpDeps } from './http.js';
import { localDayStartIso } from './localTime.js';
import { ORES_PRM } from './meterIds.js';
import { parseOresLoadCurve } from './parseOres.js';
import type { DeviceTokens, LoadCurveRequest, LoadCurveResult, OresSettings } from './types.js';

/** What every ORES call needs: resolved settings, the HTTP client and the clock. */
export interface OresClient {
  settings: OresSettings;
  http: HttpDeps;
  now: () => Date;
}

export function requireClientId(c: OresClient): string {
  if (!c.settings.clientId) throw new ConfigError('providers.ores.clientId is not set');
  return c.settings.clientId;
}

/** POST to the token endpoint; returns the tokens and the raw answer. */
export async function tokenCall(
  c: OresClient,
  fields: Record<string, string>,
  signal?: AbortSignal,
) {
  const secret = c.settings.clientSecret || undefined;
  const answer = await requestJson(
    {
      provider: 'ORES',
      method: 'POST',
      url: c.settings.tokenUrl,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formBody({ ...fields, client_id: requireClientId(c), client_secret: secret }),
      timeoutMs: c.settings.timeoutMs,
      // Codes, verifiers and tokens; not the grant type, which messages may name.
      secrets: [
        ...Object.entries(fields)
          .filter(([k]) => k !== 'grant_type')
          .map(([, v]) => v),
        ...(secret ? [secret] : []),
      ],
      ...(signal ? { signal } : {}),
    },
    c.http,
  );
  return readTokens(answer.json, c.now());
}

/** One load-curve call; an answer about another meter is refused. */
export async function fetchOresCurve(
  c: OresClient,
  req: LoadCurveRequest,
): Promise<LoadCurveResult> {
  const prm = checkPrm(req.prm, ORES_PRM);
  checkWindow(req.fromDay, req.toDay, c.settings.maxDaysPerCall);
  const token = req.tokens.accessToken;
  // An access token known to be dead would only spend one of the building's calls.
  if (!token || (req.tokens.expiresAt && req.tokens.expiresAt.getTime() <= c.now().getTime())) {
    throw new ProviderCallError('token_expired', 'The ORES access token has expired');
  }
  const base =
    req.kind === 'production'
      ? c.settings.productionLoadCurveUrl
      : c.settings.consumptionLoadCurveUrl;
  const url = withQuery(base, {
    prm,
    start: localDayStartIso(req.fromDay, c.settings.timeZone),
    end: localDayStartIso(req.toDay, c.settings.timeZone),
  });
  const answer = await requestJson(
    {
      provider: 'ORES',
      method: 'GET',
      url,
      headers: { Authorization: `Bearer ${token}` },
      timeoutMs: c.settings.timeoutMs,
      ...(req.signal ? { signal: req.signal } : {}),
    },
    c.http,
  );
  const json = answer.json as Record<string, unknown> | null;
  const said = json && typeof json === 'object' ? json.usage_point_id : undefined;
  if (typeof said === 'string' && said !== '' && said !== prm) {
    throw new ProviderCallError('malformed', `ORES answered for meter ${said}, not ${prm}`);
  }
  return { readings: parseOresLoadCurve(answer.json) };
}

/** Revokes a grant (RFC 7009) where ORES offers it; false when it does not. */
export async function revokeOres(
  c: OresClient,
  tokens: DeviceTokens,
  signal?: AbortSignal,
): Promise<boolean> {
  const revokeUrl = c.settings.revokeUrl;
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
        body: formBody({ token, client_id: requireClientId(c) }),
        timeoutMs: c.settings.timeoutMs,
        secrets: [token],
        ...(signal ? { signal } : {}),
      },
      c.http,
    );
  }
  return true;
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
