/**
 * Test and bench endpoints under /_sim/ (not part of any real API): list and create meters
 * (ORES meters come with tokens, so a bench can register many devices without browser
 * flows), read the injected anomalies, read call statistics, change faults and consent mode.
 */
import type { ProviderName } from './providerNames.js';
import { PROVIDERS } from './providerNames.js';
import type { FaultSettings } from './faults.js';
import type { Answer, RequestContext } from './http.js';
import { apiError, json, parseJsonBody } from './http.js';
import type { MeterRecord, SimState } from './state.js';

export const MAX_CREATE_COUNT = 10_000;

export interface SimStats {
  /** Requests received, all paths. */
  requests: number;
  /** Requests per path. */
  calls: Record<string, number>;
  /** Answers per HTTP status. */
  statuses: Record<string, number>;
  /** 429 answers served (quota and injected). */
  rateLimited: number;
  /** 5xx answers served. */
  serverErrors: number;
  /** Injected faults by kind. */
  faults: Record<'429' | '500' | '503' | 'timeout' | 'malformed' | 'truncated', number>;
  maxConcurrent: number;
  inFlight: number;
  meters: Record<ProviderName, number>;
}

export interface SimControl {
  state: SimState;
  stats(): SimStats;
  resetStats(): void;
  faults(): FaultSettings;
  /** Replaces the fault settings; returns a problem when invalid. */
  replaceFaults(input: unknown): FaultSettings | string;
  setConsent(mode: 'approve' | 'deny'): void;
  consentMode(): 'approve' | 'deny';
}

export interface MeterSummary {
  prm: string;
  provider: ProviderName;
  activationDate: string;
  stepMinutes: number;
  stepChange: { at: string; stepMinutes: number } | null;
  solarPeakW: number;
  consentActive: boolean;
  autorisationId?: number;
  anomalyCount: number;
}

interface OresTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export function summarise(state: SimState, r: MeterRecord): MeterSummary {
  const m = r.meter;
  const s: MeterSummary = {
    prm: m.prm,
    provider: m.provider,
    activationDate: m.activationDate.toISOString(),
    stepMinutes: m.stepMinutes,
    stepChange: m.stepChange
      ? { at: m.stepChange.at.toISOString(), stepMinutes: m.stepChange.stepMinutes }
      : null,
    solarPeakW: m.solarPeakW,
    consentActive: state.consentActive(r),
    anomalyCount: m.anomalies.length,
  };
  if (r.consent) s.autorisationId = r.consent.autorisationId;
  return s;
}

function createMeters(ctx: RequestContext, c: SimControl): Answer {
  const body = parseJsonBody(ctx.body) as { provider?: unknown; count?: unknown } | undefined;
  const provider = body?.provider;
  const count = body?.count ?? 1;
  if (typeof provider !== 'string' || !(PROVIDERS as readonly string[]).includes(provider)) {
    return apiError(400, 'invalid_request', `provider must be one of ${PROVIDERS.join(', ')}`);
  }
  if (
    typeof count !== 'number' ||
    !Number.isInteger(count) ||
    count < 1 ||
    count > MAX_CREATE_COUNT
  ) {
    return apiError(
      400,
      'invalid_request',
      `count must be an integer from 1 to ${MAX_CREATE_COUNT}`,
    );
  }
  const out: Array<MeterSummary & Partial<OresTokens>> = [];
  for (let i = 0; i < count; i++) {
    const r = c.state.createMeter(provider as ProviderName);
    const summary = summarise(c.state, r);
    if (provider === 'ores') {
      const t = c.state.issueOresTokens(r.meter.prm);
      out.push({
        ...summary,
        access_token: t.access_token,
        refresh_token: t.refresh_token,
        expires_in: t.expires_in,
      });
    } else out.push(summary);
  }
  return json(201, out);
}

/** Answers a /_sim/ request, or undefined when the path is not one of them. */
export function simRoute(ctx: RequestContext, c: SimControl): Answer | undefined {
  const { method, path } = ctx;
  if (path === '/_sim/meters') {
    if (method === 'GET')
      return json(
        200,
        [...c.state.meters.values()].map((r) => summarise(c.state, r)),
      );
    if (method === 'POST') return createMeters(ctx, c);
    return apiError(405, 'method_not_allowed');
  }
  const m = /^\/_sim\/meters\/(\d+)\/(anomalies|revoke)$/.exec(path);
  if (m) {
    const record = c.state.meters.get(m[1] as string);
    if (!record) return apiError(404, 'not_found', `No simulated meter ${m[1]}`);
    if (m[2] === 'anomalies' && method === 'GET') return json(200, record.meter.anomalies);
    if (m[2] === 'revoke' && method === 'POST') {
      c.state.revokeConsent(record.meter.prm);
      return json(200, summarise(c.state, record));
    }
    return apiError(405, 'method_not_allowed');
  }
  if (path === '/_sim/stats' && method === 'GET') return json(200, c.stats());
  if (path === '/_sim/stats/reset' && method === 'POST') {
    c.resetStats();
    return json(200, c.stats());
  }
  if (path === '/_sim/faults') {
    if (method === 'GET') return json(200, c.faults());
    if (method !== 'POST') return apiError(405, 'method_not_allowed');
    const result = c.replaceFaults(parseJsonBody(ctx.body));
    return typeof result === 'string'
      ? apiError(400, 'invalid_request', result)
      : json(200, result);
  }
  if (path === '/_sim/consent') {
    if (method === 'GET') return json(200, { mode: c.consentMode() });
    if (method !== 'POST') return apiError(405, 'method_not_allowed');
    const mode = (parseJsonBody(ctx.body) as { mode?: unknown } | undefined)?.mode;
    if (mode !== 'approve' && mode !== 'deny') {
      return apiError(400, 'invalid_request', 'mode must be approve or deny');
    }
    c.setConsent(mode);
    return json(200, { mode });
  }
  return undefined;
}
