/**
 * ORES, simulated as the seed describes it: authorization code with PKCE (S256), expiring
 * access tokens and rotating refresh tokens, revocation, and the v1 load curves in Wh with
 * RFC 3339 interval bounds in Europe/Brussels.
 */
import { createHash } from 'node:crypto';
import type { Answer, RequestContext } from './http.js';
import { apiError, bearerToken, json, parseRedirectUri, redirectWith, text } from './http.js';
import { addDays, formatRfc3339Local, localDayStartUtc, parseRfc3339 } from './euTime.js';
import { meterIntervals, meterPowerW, meterProductionW } from './loadModel.js';
import { historyStartDay } from './meters.js';
import type { SimState } from './state.js';

export interface OresDeps {
  state: SimState;
  consentMode: () => 'approve' | 'deny';
  clientId?: string;
  /** Takes one call for a meter; returns the wait in ms when too soon. */
  takeQuota: (prm: string) => number;
}

const MAX_WINDOW_MS = 7 * 86_400_000 + 3_600_000; // a week of local days may hold a 25-hour day
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function oresAuthorize(ctx: RequestContext, deps: OresDeps): Answer {
  const q = ctx.query;
  const redirect = parseRedirectUri(q.get('redirect_uri'));
  if (!redirect) return text(400, 'Invalid or missing redirect_uri');
  const clientId = q.get('client_id') ?? '';
  if (deps.clientId !== undefined && clientId !== deps.clientId) {
    return text(400, 'Unknown client_id');
  }
  const state = q.get('state') ?? '';
  const withState = (p: Record<string, string>): Record<string, string> =>
    state ? { ...p, state } : p;
  if (q.get('response_type') !== 'code') {
    return redirectWith(redirect, withState({ error: 'unsupported_response_type' }));
  }
  const challenge = q.get('code_challenge') ?? '';
  if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9\-_]{43}$/.test(challenge)) {
    return redirectWith(
      redirect,
      withState({
        error: 'invalid_request',
        error_description: 'PKCE with code_challenge_method=S256 is required',
      }),
    );
  }
  if (deps.consentMode() === 'deny') {
    return redirectWith(redirect, withState({ error: 'access_denied' }));
  }
  // The seed's configure request names the meter (prm). The customer consents for that
  // meter when it is theirs (known here); for an unknown one they pick another of their
  // meters, a new one here, which the client must notice.
  const asked = q.get('prm') ?? '';
  const known = asked ? deps.state.meters.get(asked) : undefined;
  const record = known && known.meter.provider === 'ores' ? known : deps.state.createMeter('ores');
  record.revoked = false;
  const code = deps.state.issueOresCode({
    prm: record.meter.prm,
    clientId,
    redirectUri: redirect.toString(),
    challenge,
  });
  if (asked) codesOfNamedMeters(deps.state).add(code);
  return redirectWith(redirect, withState({ code }));
}

/**
 * Codes of consent requests that named their meter. Their token answer is the documented
 * one, without usage_point_id: the client already knows the meter. A request that did not
 * name it gets the meter's id in the answer, as some OAuth servers add it.
 */
const namedCodes = new WeakMap<SimState, Set<string>>();
function codesOfNamedMeters(state: SimState): Set<string> {
  let set = namedCodes.get(state);
  if (!set) {
    set = new Set();
    namedCodes.set(state, set);
  }
  return set;
}

function tokenAnswer(state: SimState, prm: string, clientId: string, named: boolean) {
  const pair = state.issueOresTokens(prm, clientId);
  if (!named) return pair;
  const { usage_point_id: _omitted, ...documented } = pair;
  return documented;
}

const INVALID_GRANT = (description: string): Answer => apiError(400, 'invalid_grant', description);

export function oresToken(ctx: RequestContext, deps: OresDeps): Answer {
  const form = new URLSearchParams(ctx.body);
  const st = deps.state;
  const clientId = form.get('client_id') ?? '';
  if (deps.clientId !== undefined && clientId !== deps.clientId) {
    return apiError(401, 'invalid_client', 'Unknown client_id');
  }
  const grant = form.get('grant_type');
  if (grant === 'authorization_code') {
    const codeValue = form.get('code') ?? '';
    const code = st.oresCodes.get(codeValue);
    // A code is single-use whatever the outcome, as OAuth 2.1 asks.
    st.oresCodes.delete(codeValue);
    if (!code || code.expiresAtMs <= st.nowMs())
      return INVALID_GRANT('Unknown or expired authorization code');
    if (code.clientId !== clientId) return INVALID_GRANT('The code was issued to another client');
    const redirect = parseRedirectUri(form.get('redirect_uri'));
    if (!redirect || redirect.toString() !== code.redirectUri) {
      return INVALID_GRANT('redirect_uri does not match the authorization request');
    }
    const verifier = form.get('code_verifier') ?? '';
    if (!VERIFIER.test(verifier) || s256(verifier) !== code.challenge) {
      return INVALID_GRANT('PKCE verification failed');
    }
    const named = codesOfNamedMeters(st).delete(codeValue);
    return json(200, tokenAnswer(st, code.prm, clientId, named));
  }
  if (grant === 'refresh_token') {
    const value = form.get('refresh_token') ?? '';
    const held = st.oresRefresh.get(value);
    if (!held || (held.clientId && clientId && held.clientId !== clientId)) {
      return INVALID_GRANT('Unknown, rotated or revoked refresh token');
    }
    const record = st.meters.get(held.prm);
    if (!st.consentActive(record)) return INVALID_GRANT('The consent was withdrawn');
    st.oresRefresh.delete(value);
    // A refresh answer never names the meter: the client knows which grant it refreshes.
    return json(200, tokenAnswer(st, held.prm, held.clientId || clientId, true));
  }
  return apiError(
    400,
    'unsupported_grant_type',
    'grant_type must be authorization_code or refresh_token',
  );
}

export function oresRevoke(ctx: RequestContext, deps: OresDeps): Answer {
  const token = new URLSearchParams(ctx.body).get('token');
  if (!token) return apiError(400, 'invalid_request', 'token is required');
  const st = deps.state;
  const prm = st.oresAccess.get(token)?.prm ?? st.oresRefresh.get(token)?.prm;
  // RFC 7009: an unknown token is not an error.
  if (prm) st.dropOresTokens(prm);
  return json(200, {});
}

export function oresLoadCurve(
  ctx: RequestContext,
  deps: OresDeps,
  kind: 'consumption' | 'production',
): Answer {
  const st = deps.state;
  const tokenPrm = st.oresTokenPrm(bearerToken(ctx.headers));
  if (!tokenPrm)
    return apiError(401, 'invalid_token', 'The access token is missing, invalid or expired');
  const prm = ctx.query.get('prm') ?? '';
  const record = st.meters.get(prm);
  if (prm !== tokenPrm || !record || !st.consentActive(record)) {
    return apiError(403, 'access_denied', 'This token gives no access to this meter');
  }
  const wait = deps.takeQuota(prm);
  if (wait > 0) {
    return apiError(429, 'too_many_requests', 'One request per meter every 2 seconds', undefined, {
      'retry-after': String(Math.ceil(wait / 1000)),
    });
  }
  const startRaw = ctx.query.get('start') ?? '';
  const endRaw = ctx.query.get('end') ?? '';
  const start = parseRfc3339(startRaw);
  const end = parseRfc3339(endRaw);
  if (start === null || end === null) {
    return apiError(
      400,
      'invalid_request',
      'start and end must be RFC 3339 date-times with an offset',
    );
  }
  if (end <= start) return apiError(400, 'invalid_request', 'end must be after start');
  if (end - start > MAX_WINDOW_MS)
    return apiError(400, 'invalid_request', 'The period must be at most 7 days');
  const today = st.today();
  if (end > localDayStartUtc(addDays(today, 1))) {
    return apiError(400, 'invalid_request', 'end cannot be in the future');
  }
  const from = Math.max(start, localDayStartUtc(historyStartDay(today)));
  const meter = record.meter;
  const intervals = meterIntervals(meter, from, Math.min(end, localDayStartUtc(today)));
  if (intervals.length === 0)
    return apiError(404, 'no_data_found', 'No data for the requested period');
  const power = kind === 'consumption' ? meterPowerW : meterProductionW;
  return json(200, {
    usage_point_id: prm,
    start: startRaw,
    end: endRaw,
    reading_type: {
      unit: 'Wh',
      aggregate: 'Sum',
      measuring_period: `PT${intervals[0]?.stepMinutes ?? meter.stepMinutes}M`,
    },
    interval_readings: intervals.map((iv) => ({
      value: (power(meter, iv.startMs, iv.stepMinutes) * iv.stepMinutes) / 60,
      start: formatRfc3339Local(iv.startMs),
      end: formatRfc3339Local(iv.startMs + iv.stepMinutes * 60_000),
    })),
  });
}
