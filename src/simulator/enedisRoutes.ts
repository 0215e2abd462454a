/**
 * Enedis Data Connect, simulated: consent pages (v1, v2), the client-credentials token,
 * subscribed_services, and the 2026 and v5 load-curve and daily-consumption APIs with their
 * checks (token, consent, 7-day windows, activation, history, future dates, quotas).
 */
import type { Answer, RequestContext } from './http.js';
import {
  apiError,
  bearerToken,
  json,
  parseJsonBody,
  parseRedirectUri,
  redirectWith,
  text,
} from './http.js';
import { randomBytes } from 'node:crypto';
import {
  addDays,
  addMonths,
  daysBetween,
  formatLocalDateTime,
  localDay,
  localDayStartUtc,
  parseDay,
} from './euTime.js';
import { meterIntervals, meterPowerW, meterProductionW } from './loadModel.js';
import type { MeterRecord, SimState } from './state.js';
import { parseConsentDuration } from './state.js';

export interface EnedisDeps {
  state: SimState;
  consentMode: () => 'approve' | 'deny';
  clientId?: string;
  clientSecret?: string;
  /** Takes one call on the path's quota; returns the wait in ms when over it, and which quota. */
  takeQuota: (path: string) => { waitMs: number; scope: 'second' | 'hour' };
  /** API names (the path's last part) the application is not subscribed to: 403 900908. */
  unsubscribedApis?: () => ReadonlySet<string>;
  /** A 429 answer in the provider's style for a wait in ms. */
  tooManyRequests: (waitMs: number, scope: 'second' | 'hour', path: string) => Answer;
}

export type SeriesKind = 'CONS' | 'PROD' | 'DAILY' | 'DAILY_PROD' | 'MAX_POWER';
export interface SeriesRoute {
  api: '2026' | 'v5';
  kind: SeriesKind;
}

const MAX_CONSENT_MONTHS = 36;
const LOAD_CURVE_MAX_DAYS = 7;
const DAILY_MAX_DAYS = 365;
const LOAD_CURVE_HISTORY_MONTHS = 24;
const DAILY_HISTORY_MONTHS = 36;

const CONSENT_GONE = (): Answer =>
  apiError(403, 'ADAM-DC-0008', 'No consent can be found for this customer and this usage point');
/** The API gateway's answer when the application has no subscription to the API. */
const NOT_SUBSCRIBED = (): Answer =>
  json(403, {
    fault: {
      code: 900908,
      message: 'Resource forbidden ',
      description:
        'User is NOT authorized to access the Resource. API Subscription validation failed.',
    },
  });
const INVALID_TOKEN = (): Answer =>
  apiError(401, 'invalid_token', 'The access token is missing, invalid or expired');

export function enedisAuthorize(
  ctx: RequestContext,
  deps: EnedisDeps,
  version: 'v1' | 'v2',
): Answer {
  const q = ctx.query;
  const redirect = parseRedirectUri(q.get('redirect_uri'));
  if (!redirect) return text(400, 'Invalid or missing redirect_uri');
  // Without a configured client the simulator accepts any, so the tool can be tried bare.
  if (deps.clientId !== undefined && q.get('client_id') !== deps.clientId) {
    return text(400, 'Unknown client_id');
  }
  const state = q.get('state') ?? '';
  const withState = (p: Record<string, string>): Record<string, string> =>
    state ? { ...p, state } : p;
  if (q.get('response_type') !== 'code') {
    return redirectWith(redirect, withState({ error: 'unsupported_response_type' }));
  }
  const duration = parseConsentDuration(q.get('duration') ?? 'P1Y');
  if (!duration || duration.months * 31 + duration.days > MAX_CONSENT_MONTHS * 31) {
    return redirectWith(
      redirect,
      withState({
        error: 'invalid_request',
        error_description: 'duration must be an ISO 8601 period of at most P3Y',
      }),
    );
  }
  if (deps.consentMode() === 'deny') {
    return redirectWith(
      redirect,
      withState({
        error: 'access_denied',
        error_description: 'The customer refused to share the data',
      }),
    );
  }
  // A `prm` hint (not part of Enedis's API) stands for a customer consenting again for a
  // meter they already had linked; otherwise each consent is a new meter.
  const hint = q.get('prm');
  const record =
    (hint ? deps.state.renewConsent(hint, duration) : undefined) ??
    deps.state.createMeter('enedis', duration);
  const code = randomBytes(18).toString('base64url');
  const params: Record<string, string> = { code };
  if (state) params['state'] = state;
  if (version === 'v2') params['autorisation_id'] = String(record.consent?.autorisationId);
  else params['usage_point_id'] = record.meter.prm;
  return redirectWith(redirect, params);
}

function basicCredentials(header: string | undefined): [string, string] | undefined {
  const m = header ? /^Basic\s+(\S+)$/i.exec(header) : null;
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? undefined : [decoded.slice(0, i), decoded.slice(i + 1)];
}

export function enedisToken(ctx: RequestContext, deps: EnedisDeps): Answer {
  const form = new URLSearchParams(ctx.body);
  if (form.get('grant_type') !== 'client_credentials') {
    return apiError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
  }
  const basic = basicCredentials(ctx.headers.authorization);
  const id = form.get('client_id') ?? basic?.[0];
  const secret = form.get('client_secret') ?? basic?.[1];
  const idOk = deps.clientId === undefined || id === deps.clientId;
  const secretOk = deps.clientSecret === undefined || secret === deps.clientSecret;
  if (!idOk || !secretOk) return apiError(401, 'invalid_client', 'Client authentication failed');
  const { token, expiresIn } = deps.state.issueEnedisToken();
  return json(200, {
    access_token: token,
    token_type: 'Bearer',
    expires_in: String(expiresIn),
    scope: 'am_application_scope default',
  });
}

function etatOf(deps: EnedisDeps, record: MeterRecord): string {
  const c = record.consent;
  if (!c) return 'SUPPRIME';
  if (c.etatCode === 'ACTIF' && deps.state.today() > c.dateFin) return 'TERMINE';
  return c.etatCode;
}

export function enedisSubscribedServices(ctx: RequestContext, deps: EnedisDeps): Answer {
  if (!deps.state.enedisTokenValid(bearerToken(ctx.headers))) return INVALID_TOKEN();
  const quota = deps.takeQuota(ctx.path);
  if (quota.waitMs > 0) return deps.tooManyRequests(quota.waitMs, quota.scope, ctx.path);
  const body = parseJsonBody(ctx.body) as { autorisationId?: unknown } | undefined;
  const id = Number(body?.autorisationId);
  if (!body || !Number.isInteger(id)) {
    return apiError(400, 'invalid_request', 'autorisationId must be a number');
  }
  const prm = deps.state.enedisByAuthorisation.get(id);
  const record = prm ? deps.state.meters.get(prm) : undefined;
  if (!record?.consent)
    return apiError(404, 'no_data_found', `No subscribed service for autorisation ${id}`);
  const c = record.consent;
  const step = record.meter.stepChange?.stepMinutes ?? record.meter.stepMinutes;
  const service = (sens: string, extra: Record<string, unknown>) => ({
    pointId: record.meter.prm,
    dateDebut: c.dateDebut,
    // The field naming the direction is not in the published summary; clients should find
    // "soutirage"/"injection" in whatever field carries it.
    sens,
    mesuresCorrigees: false,
    periodiciteTransmission: 'P1D',
    ...extra,
  });
  const services = [
    service('SOUTIRAGE', {
      serviceSouscritId: c.serviceSouscritId,
      dateFin: c.dateFin,
      etatCode: etatOf(deps, record),
      mesuresTypeCode: 'COURBE',
      mesuresPas: `P${step}M`,
    }),
    // A service still being set up carries no end date yet.
    service('SOUTIRAGE', {
      serviceSouscritId: c.serviceSouscritId + 500_000,
      etatCode: 'DEMANDE',
      mesuresTypeCode: 'ENERGIE',
      mesuresPas: 'P1D',
    }),
  ];
  if (record.meter.solarPeakW > 0) {
    services.push(
      service('INJECTION', {
        serviceSouscritId: c.serviceSouscritId + 900_000,
        dateFin: c.dateFin,
        etatCode: etatOf(deps, record),
        mesuresTypeCode: 'COURBE',
        mesuresPas: `P${step}M`,
      }),
    );
  }
  return json(200, { nbTotalServices: services.length, serviceSouscrit: services });
}

interface Window {
  record: MeterRecord;
  fromDay: string;
  toDay: string;
  fromMs: number;
  /** End of served data: the requested end, but never today or later. */
  toMs: number;
}

function checkWindow(ctx: RequestContext, deps: EnedisDeps, route: SeriesRoute): Window | Answer {
  const names =
    route.api === '2026' ? ['pointId', 'dateDebut', 'dateFin'] : ['usage_point_id', 'start', 'end'];
  const [prm, fromDay, toDay] = names.map((n) => ctx.query.get(n) ?? '') as [
    string,
    string,
    string,
  ];
  if (!/^\d{14}$/.test(prm))
    return apiError(400, 'invalid_request', `${names[0]} must be 14 digits`);
  if (!parseDay(fromDay) || !parseDay(toDay)) {
    return apiError(400, 'invalid_request', `${names[1]} and ${names[2]} must be dates YYYY-MM-DD`);
  }
  const record = deps.state.meters.get(prm);
  if (!record || record.meter.provider !== 'enedis' || !deps.state.consentActive(record)) {
    return CONSENT_GONE();
  }
  const c = record.consent;
  if (c?.noHistoryBeforeStart && fromDay < c.dateDebut) {
    return apiError(
      403,
      'ADAM-DC-0009',
      "The requested start date is earlier than the consent's start date",
    );
  }
  if (toDay <= fromDay) {
    return apiError(400, 'invalid_request', `${names[2]} must be after ${names[1]}`);
  }
  const daily = route.kind !== 'CONS' && route.kind !== 'PROD';
  const maxDays = daily ? DAILY_MAX_DAYS : LOAD_CURVE_MAX_DAYS;
  if (daysBetween(fromDay, toDay) > maxDays) {
    return apiError(400, 'ADAM-ERR0069', `The requested period must be at most ${maxDays} days`);
  }
  const today = deps.state.today();
  if (toDay > addDays(today, 1)) {
    return apiError(400, 'ADAM-ERR0125', 'The requested end date cannot be in the future');
  }
  const historyStart = addMonths(
    today,
    -(daily ? DAILY_HISTORY_MONTHS : LOAD_CURVE_HISTORY_MONTHS),
  );
  const activationDay = localDay(record.meter.activationDate.getTime());
  if (fromDay < activationDay || fromDay < historyStart) {
    return apiError(
      400,
      'ADAM-ERR0123',
      "The requested period cannot be anterior to the meter's last activation date",
    );
  }
  const fromMs = localDayStartUtc(fromDay);
  const toMs = Math.min(localDayStartUtc(toDay), localDayStartUtc(today));
  return { record, fromDay, toDay, fromMs, toMs };
}

interface SeriesPoint {
  value: string;
  date: string;
  step: string;
}

function seriesPoints(w: Window, kind: SeriesKind): SeriesPoint[] {
  const meter = w.record.meter;
  const intervals = meterIntervals(meter, w.fromMs, w.toMs);
  if (kind === 'CONS' || kind === 'PROD') {
    const power = kind === 'CONS' ? meterPowerW : meterProductionW;
    return intervals.map((iv) => ({
      value: String(power(meter, iv.startMs, iv.stepMinutes)),
      date: formatLocalDateTime(iv.startMs + iv.stepMinutes * 60_000),
      step: `PT${iv.stepMinutes}M`,
    }));
  }
  if (kind === 'MAX_POWER') {
    // The day's highest interval average stands for its peak, dated at that interval's end.
    const best = new Map<string, { va: number; endMs: number }>();
    for (const iv of intervals) {
      const day = localDay(iv.startMs);
      const va = Math.round(meterPowerW(meter, iv.startMs, iv.stepMinutes) * 1.05);
      const cur = best.get(day);
      if (!cur || va > cur.va) best.set(day, { va, endMs: iv.startMs + iv.stepMinutes * 60_000 });
    }
    return [...best.values()].map((b) => ({
      value: String(b.va),
      date: formatLocalDateTime(b.endMs),
      step: 'P1D',
    }));
  }
  const power = kind === 'DAILY_PROD' ? meterProductionW : meterPowerW;
  const byDay = new Map<string, number>();
  for (const iv of intervals) {
    const day = localDay(iv.startMs);
    const wh = (power(meter, iv.startMs, iv.stepMinutes) * iv.stepMinutes) / 60;
    byDay.set(day, (byDay.get(day) ?? 0) + wh);
  }
  return [...byDay].map(([day, wh]) => ({ value: String(Math.round(wh)), date: day, step: 'P1D' }));
}

/** One load-curve or daily-consumption call, 2026 or v5 shape. */
export function enedisSeries(ctx: RequestContext, deps: EnedisDeps, route: SeriesRoute): Answer {
  if (!deps.state.enedisTokenValid(bearerToken(ctx.headers))) return INVALID_TOKEN();
  const api = ctx.path.split('/').pop() ?? '';
  if (deps.unsubscribedApis?.().has(api)) return NOT_SUBSCRIBED();
  const quota = deps.takeQuota(ctx.path);
  if (quota.waitMs > 0) return deps.tooManyRequests(quota.waitMs, quota.scope, ctx.path);
  const w = checkWindow(ctx, deps, route);
  if ('status' in w) return w;
  const points = seriesPoints(w, route.kind);
  if (points.length === 0) {
    return apiError(404, 'no_data_found', 'No data found for the requested period');
  }
  const prm = w.record.meter.prm;
  const daily = route.kind !== 'CONS' && route.kind !== 'PROD';
  const maxPower = route.kind === 'MAX_POWER';
  const production = route.kind === 'PROD' || route.kind === 'DAILY_PROD';
  if (route.api === '2026') {
    return json(200, {
      idPrm: prm,
      etapeMetier: 'BRUT',
      periode: { dateDebut: w.fromDay, dateFin: w.toDay },
      modeCalcul: maxPower ? 'MAXIMUM' : daily ? 'SOMME' : 'MOYENNE',
      grandeur: [
        {
          grandeurMetier: production ? 'PROD' : 'CONS',
          grandeurPhysique: maxPower ? 'PMA' : daily ? 'EA' : 'PA',
          unite: maxPower ? 'VA' : daily ? 'Wh' : 'W',
          points: points.map((p) => ({ v: p.value, d: p.date, p: p.step, n: 'B' })),
        },
      ],
    });
  }
  return json(200, {
    meter_reading: {
      usage_point_id: prm,
      start: w.fromDay,
      end: w.toDay,
      quality: 'BRUT',
      reading_type: maxPower
        ? { measurement_kind: 'power', unit: 'VA', aggregate: 'maximum', measuring_period: 'P1D' }
        : daily
          ? { measurement_kind: 'energy', unit: 'Wh', aggregate: 'sum', measuring_period: 'P1D' }
          : { measurement_kind: 'power', unit: 'W', aggregate: 'average' },
      interval_reading: points.map((p) =>
        daily
          ? { value: p.value, date: p.date }
          : { value: p.value, date: p.date, interval_length: p.step, measure_type: 'B' },
      ),
    },
  });
}
