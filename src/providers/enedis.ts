/**
 * Enedis Data Connect adapter (France). Consent happens in the customer's browser; what
 * the application holds afterwards is the PRM and the consent's end date, and it reads
 * data with its own application token (no per-meter tokens). Data Connect 2026 by default,
 * legacy v5 with `apiVersion: "v5"`.
 */
import { Duration, DateTime } from 'luxon';
import { AuthError, ConfigError, ProviderError } from '../domain/errors.js';
import { checkPrm, checkWindow } from './callChecks.js';
import { createAppTokenSource } from './enedisAppToken.js';
import { isProviderCallError, ProviderCallError } from './errors.js';
import { requestJson, withQuery, type HttpDeps, type HttpRequest } from './http.js';
import { localDayStart } from './localTime.js';
import { addDays } from '../domain/localDays.js';
import { ENEDIS_PRM } from './meterIds.js';
import {
  parseEnedis2026LoadCurve,
  parseEnedisDaily,
  parseEnedisV5LoadCurve,
} from './parseEnedis.js';
import { readSubscribedServices } from './enedisServices.js';
import { parseEnedisSavedAnswer } from './parseEnedisDaily.js';
import { resolveProviderUrls } from './settings.js';
import type {
  AuthorizeRequest,
  CallbackParams,
  DeviceTokens,
  LinkResult,
  LoadCurveRequest,
  LoadCurveResult,
  EnedisSettings,
  Provider,
} from './types.js';

/** What tests and the simulator may inject: the HTTP client and the clock. */
export type ProviderDeps = HttpDeps;

export interface DailyConsumptionRequest {
  prm: string;
  /** First local day, included. */
  fromDay: string;
  /** Last local day, excluded. */
  toDay: string;
  signal?: AbortSignal;
}

/** The daily series: energy drawn or fed in per local day, and the day's maximum power. */
export type DailySeries = 'consumption' | 'production' | 'max_power';

export interface DailySeriesRequest extends DailyConsumptionRequest {
  series: DailySeries;
}

/** Days per daily-series call, and how far back they go (DESIGN §3: 365 days, 36 months). */
export const DAILY_MAX_DAYS_PER_CALL = 365;
export const DAILY_HISTORY_MONTHS = 36;

export interface EnedisProvider extends Provider {
  /** Wh per local day (36 months of history), one reading per day. */
  fetchDailyConsumption(req: DailyConsumptionRequest): Promise<LoadCurveResult>;
  /** One call of a daily series (at most 365 days), as readings of its own metric. */
  fetchDailySeries(req: DailySeriesRequest): Promise<ReturnType<typeof parseEnedisSavedAnswer>>;
}

/** Enedis refuses a `state` longer than this on the consent page. */
const MAX_STATE_LENGTH = 100;

/** What every Enedis call needs: resolved settings, the clock, HTTP, the application token. */
interface EnedisClient {
  settings: EnedisSettings;
  now: () => Date;
  http: HttpDeps;
  appToken: ReturnType<typeof createAppTokenSource>;
  /** The legacy v5 data APIs instead of Data Connect 2026. */
  v5: boolean;
}

export function createEnedisProvider(
  input: EnedisSettings,
  deps: ProviderDeps = {},
): EnedisProvider {
  const settings = resolveProviderUrls(input);
  const now = deps.now ?? (() => new Date());
  const http = { ...(deps.fetch ? { fetch: deps.fetch } : {}), now };
  const c: EnedisClient = {
    settings,
    now,
    http,
    appToken: createAppTokenSource(settings, http),
    v5: settings.apiVersion === 'v5',
  };

  return {
    name: 'enedis',
    settings,

    authorizeUrl(req: AuthorizeRequest): string {
      if (!settings.clientId) throw new ConfigError('providers.enedis.clientId is not set');
      if (req.state.length > MAX_STATE_LENGTH) {
        throw new ProviderError(
          `The consent state is ${req.state.length} characters; Enedis accepts ${MAX_STATE_LENGTH}`,
        );
      }
      return withQuery(consentUrl(c), {
        client_id: settings.clientId,
        response_type: 'code',
        state: req.state,
        duration: settings.consentDuration ?? 'P1Y',
        redirect_uri: req.redirectUri,
      });
    },

    async completeLink(params: CallbackParams, ctx): Promise<LinkResult> {
      if (params.error) {
        const why = params.errorDescription ? ` (${params.errorDescription})` : '';
        throw new AuthError(`Consent refused at Enedis: ${params.error}${why}`, {
          hint: 'Run link again and accept the data sharing on the Enedis page.',
        });
      }
      if (params.autorisationId) return linkV2(c, params.autorisationId.trim(), ctx.signal);
      if (params.usagePointId) return linkV1(c, params.usagePointId.trim());
      throw new AuthError('The Enedis callback carried neither autorisation_id nor usage_point_id');
    },

    async refreshTokens(_tokens: DeviceTokens): Promise<DeviceTokens> {
      throw new ProviderError(
        'Enedis has no per-meter tokens to refresh: the application token renews itself',
        { hint: 'When a consent has expired, link the meter again.' },
      );
    },

    async revoke(): Promise<boolean> {
      // Enedis consents are withdrawn by the customer in their Enedis account.
      return false;
    },

    fetchLoadCurve: (req: LoadCurveRequest) => fetchEnedisCurve(c, req),
    fetchDailyConsumption: (req: DailyConsumptionRequest) => fetchEnedisDaily(c, req),
    fetchDailySeries: (req: DailySeriesRequest) => fetchEnedisDailySeries(c, req),
  };
}

/** An answer about another meter must not be stored under this one. */
function checkAnswerPrm(json: unknown, prm: string): void {
  if (json === null || typeof json !== 'object') return;
  const o = json as Record<string, unknown>;
  const mr = o.meter_reading as Record<string, unknown> | undefined;
  const said = o.idPrm ?? (mr && typeof mr === 'object' ? mr.usage_point_id : undefined);
  if (typeof said === 'string' && said !== '' && said !== prm) {
    throw new ProviderCallError('malformed', `Enedis answered for meter ${said}, not ${prm}`);
  }
}

/** Calls an API with the application token; on a 401, one new token and one more try. */
async function withAppToken(
  c: EnedisClient,
  req: Omit<HttpRequest, 'provider' | 'timeoutMs'>,
): Promise<unknown> {
  const send = async (token: string) =>
    (
      await requestJson(
        {
          ...req,
          provider: 'Enedis',
          timeoutMs: c.settings.timeoutMs,
          headers: { ...req.headers, Authorization: `Bearer ${token}` },
        },
        c.http,
      )
    ).json;
  const token = await c.appToken.get(req.signal);
  try {
    return await send(token);
  } catch (e) {
    if (!isProviderCallError(e) || e.status !== 401) throw e;
    c.appToken.invalidate(token);
  }
  const fresh = await c.appToken.get(req.signal);
  try {
    return await send(fresh);
  } catch (e) {
    if (!isProviderCallError(e) || e.status !== 401) throw e;
    c.appToken.invalidate(fresh);
    // A token Enedis has just issued was refused: something on its side, worth a later retry.
    throw new ProviderCallError('transient', `Enedis refused a newly issued application token`, {
      status: 401,
      ...(e.code !== undefined ? { code: e.code } : {}),
      cause: e,
    });
  }
}

function consentUrl(c: EnedisClient): string {
  // consentVersion picks the v1 or v2 page of the configured URL (same host and path).
  const url = c.settings.authorizeUrl;
  if (c.settings.consentVersion === 'v1')
    return url.replace('/dataconnect/v2/', '/dataconnect/v1/');
  if (c.settings.consentVersion === 'v2')
    return url.replace('/dataconnect/v1/', '/dataconnect/v2/');
  return url;
}

async function linkV2(
  c: EnedisClient,
  autorisationId: string,
  signal?: AbortSignal,
): Promise<LinkResult> {
  if (!/^\d{1,15}$/.test(autorisationId)) {
    throw new AuthError(`Enedis sent an autorisation_id that is not a number: ${autorisationId}`);
  }
  if (!c.settings.subscribedServicesUrl) {
    throw new ConfigError('providers.enedis.subscribedServicesUrl is not set');
  }
  let json: unknown;
  try {
    json = await withAppToken(c, {
      method: 'POST',
      url: c.settings.subscribedServicesUrl,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ autorisationId: Number(autorisationId), comptage: false }),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (isProviderCallError(e) && e.kind === 'no_data') {
      throw new AuthError(`Enedis knows no consent with autorisation_id ${autorisationId}`, {
        hint: 'Link the meter again.',
        cause: e,
      });
    }
    throw e;
  }
  const service = readSubscribedServices(json);
  const zone = c.settings.timeZone;
  return {
    prm: service.prm,
    tokens: {},
    // dateFin is the consent's last day: it runs until that day's end (the next one's start).
    consentExpiresAt: localDayStart(addDays(service.dateFin, 1), zone),
    ...(service.dateDebut ? { consentStartsAt: localDayStart(service.dateDebut, zone) } : {}),
    series: service.series,
    authorizationId: autorisationId,
  };
}

function linkV1(c: EnedisClient, usagePointId: string): LinkResult {
  const prm = checkPrmForLink(usagePointId);
  const duration = Duration.fromISO(c.settings.consentDuration ?? 'P1Y');
  if (!duration.isValid) {
    throw new ConfigError(
      `providers.enedis.consentDuration is not an ISO 8601 duration: ${c.settings.consentDuration}`,
    );
  }
  return {
    prm,
    tokens: {},
    // v1 does not tell the consent's end: the duration asked for is the best estimate.
    consentExpiresAt: DateTime.fromJSDate(c.now()).plus(duration).toJSDate(),
  };
}

function checkPrmForLink(prm: string): string {
  try {
    return checkPrm(prm, ENEDIS_PRM);
  } catch (e) {
    throw new AuthError(`Enedis sent an unusable usage_point_id: ${(e as Error).message}`);
  }
}

/** One load-curve call (2026 or v5 API), with the application token. */
async function fetchEnedisCurve(c: EnedisClient, req: LoadCurveRequest): Promise<LoadCurveResult> {
  const prm = checkPrm(req.prm, ENEDIS_PRM);
  checkWindow(req.fromDay, req.toDay, c.settings.maxDaysPerCall);
  const base =
    req.kind === 'production'
      ? c.settings.productionLoadCurveUrl
      : c.settings.consumptionLoadCurveUrl;
  const url = c.v5
    ? withQuery(base, { usage_point_id: prm, start: req.fromDay, end: req.toDay })
    : withQuery(base, { pointId: prm, dateDebut: req.fromDay, dateFin: req.toDay });
  const json = await withAppToken(c, {
    method: 'GET',
    url,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  checkAnswerPrm(json, prm);
  const opts = { timeZone: c.settings.timeZone };
  const readings = c.v5
    ? parseEnedisV5LoadCurve(json, opts)
    : parseEnedis2026LoadCurve(json, {
        ...opts,
        metier: req.kind === 'production' ? 'PROD' : 'CONS',
      });
  return { readings };
}

/** Wh per local day, one reading per day. */
async function fetchEnedisDaily(
  c: EnedisClient,
  req: DailyConsumptionRequest,
): Promise<LoadCurveResult> {
  const prm = checkPrm(req.prm, ENEDIS_PRM);
  checkWindow(req.fromDay, req.toDay);
  if (!c.settings.dailyConsumptionUrl)
    throw new ConfigError('providers.enedis.dailyConsumptionUrl is not set');
  const url = c.v5
    ? withQuery(c.settings.dailyConsumptionUrl, {
        usage_point_id: prm,
        start: req.fromDay,
        end: req.toDay,
      })
    : withQuery(c.settings.dailyConsumptionUrl, {
        pointId: prm,
        dateDebut: req.fromDay,
        dateFin: req.toDay,
      });
  const json = await withAppToken(c, {
    method: 'GET',
    url,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  checkAnswerPrm(json, prm);
  return { readings: parseEnedisDaily(json, { timeZone: c.settings.timeZone, metier: 'CONS' }) };
}

function dailySeriesUrl(c: EnedisClient, series: DailySeries): string {
  const url =
    series === 'consumption'
      ? c.settings.dailyConsumptionUrl
      : series === 'production'
        ? c.settings.dailyProductionUrl
        : c.settings.maxPowerUrl;
  const key =
    series === 'consumption'
      ? 'dailyConsumptionUrl'
      : series === 'production'
        ? 'dailyProductionUrl'
        : 'maxPowerUrl';
  if (!url) throw new ConfigError(`providers.enedis.${key} is not set`);
  return url;
}

/** One daily-series call: daily consumption or production (Wh), or the day's maximum power (VA). */
async function fetchEnedisDailySeries(c: EnedisClient, req: DailySeriesRequest) {
  const prm = checkPrm(req.prm, ENEDIS_PRM);
  checkWindow(req.fromDay, req.toDay, DAILY_MAX_DAYS_PER_CALL);
  const base = dailySeriesUrl(c, req.series);
  const url = c.v5
    ? withQuery(base, { usage_point_id: prm, start: req.fromDay, end: req.toDay })
    : withQuery(base, { pointId: prm, dateDebut: req.fromDay, dateFin: req.toDay });
  const json = await withAppToken(c, {
    method: 'GET',
    url,
    ...(req.signal ? { signal: req.signal } : {}),
  });
  checkAnswerPrm(json, prm);
  const parsed = parseEnedisSavedAnswer(json, {
    timeZone: c.settings.timeZone,
    production: req.series === 'production',
  });
  // The endpoint says what was asked: an answer of another shape is not stored under it.
  const expected =
    req.series === 'max_power'
      ? 'max_power_daily'
      : req.series === 'production'
        ? 'electricity_production_daily'
        : 'electricity_consumption_daily';
  if (parsed.metric !== expected && parsed.readings.length > 0) {
    throw new ProviderCallError(
      'malformed',
      `Enedis answered ${parsed.metric} to a ${req.series} daily call`,
    );
  }
  return { metric: expected as typeof parsed.metric, readings: parsed.readings };
}
