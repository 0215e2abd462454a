/**
 * ORES adapter (Belgium), as the seed describes it: authorization code with PKCE (S256),
 * per-meter access and refresh tokens (the refresh token rotates), and a load curve of Wh
 * per interval over a window of local Brussels days.
 */
import { AuthError } from '../domain/errors.js';
import { checkPrm } from './callChecks.js';
import { isProviderCallError, ProviderCallError } from './errors.js';
import { withQuery, type HttpDeps as ProviderDeps } from './http.js';
import { addDays, localDayOf } from '../domain/localDays.js';
import { ORES_PRM } from './meterIds.js';
import { resolveProviderUrls } from './settings.js';
import {
  fetchOresCurve,
  requireClientId,
  revokeOres,
  tokenCall,
  type OresClient,
} from './oresCalls.js';
import type {
  AuthorizeRequest,
  CallbackParams,
  DeviceTokens,
  LinkResult,
  LoadCurveRequest,
  OresSettings,
  Provider,
} from './types.js';

export function createOresProvider(input: OresSettings, deps: ProviderDeps = {}): Provider {
  const settings = resolveProviderUrls(input);
  const now = deps.now ?? (() => new Date());
  const c: OresClient = {
    settings,
    now,
    http: { ...(deps.fetch ? { fetch: deps.fetch } : {}), now },
  };

  return {
    name: 'ores',
    settings,

    authorizeUrl(req: AuthorizeRequest): string {
      if (!req.codeChallenge) {
        throw new AuthError('ORES consent needs a PKCE code challenge (S256)');
      }
      return withQuery(settings.authorizeUrl, {
        response_type: 'code',
        client_id: requireClientId(c),
        redirect_uri: req.redirectUri,
        state: req.state,
        code_challenge: req.codeChallenge,
        code_challenge_method: 'S256',
        scope: 'consumption',
        // The seed's configure request carries the meter the user names.
        ...(req.meterId ? { prm: req.meterId } : {}),
      });
    },

    completeLink: (params, ctx) => completeOresLink(c, params, ctx),

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
        c,
        { grant_type: 'refresh_token', refresh_token: tokens.refreshToken },
        signal,
      );
      // Rotation: the answer's refresh token replaces the old one, which is now invalid.
      // A server that does not rotate leaves it out, and the old one stays good.
      return { ...got.tokens, refreshToken: got.tokens.refreshToken ?? tokens.refreshToken };
    },

    revoke: (tokens: DeviceTokens, signal?: AbortSignal) => revokeOres(c, tokens, signal),

    fetchLoadCurve: (req: LoadCurveRequest) => fetchOresCurve(c, req),
  };
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
async function confirmMeter(
  c: OresClient,
  prm: string,
  tokens: DeviceTokens,
  signal?: AbortSignal,
) {
  const today = localDayOf(c.now(), c.settings.timeZone);
  try {
    await fetchOresCurve(c, {
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

/** The callback to a PRM and tokens: the code exchanged (with the PKCE verifier). */
async function completeOresLink(
  c: OresClient,
  params: CallbackParams,
  ctx: Parameters<Provider['completeLink']>[1],
): Promise<LinkResult> {
  if (params.error) {
    const why = params.errorDescription ? ` (${params.errorDescription})` : '';
    throw new AuthError(`Consent refused at ORES: ${params.error}${why}`, {
      hint: 'Run link again and accept the data sharing on the ORES page.',
    });
  }
  if (!params.code) throw new AuthError('The ORES callback carried no authorization code');
  if (!ctx.codeVerifier) throw new AuthError('The PKCE code verifier of this link is missing');
  let got: Awaited<ReturnType<typeof tokenCall>>;
  try {
    got = await tokenCall(
      c,
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
  await confirmMeter(c, prm, got.tokens, ctx.signal);
  return { prm, tokens: got.tokens };
}
