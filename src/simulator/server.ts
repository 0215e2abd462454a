/**
 * The provider simulator: one node:http server on 127.0.0.1 speaking both Enedis Data
 * Connect (2026 and v5) and ORES, with quotas, injected faults and /_sim/ control endpoints.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../domain/errors.js';
import type { ProviderName } from './providerNames.js';
import { formatIsoMillisLocal } from './euTime.js';
import { checkFaults, FaultInjector, type FaultDecision, type FaultSettings } from './faults.js';
import {
  apiError,
  json,
  readBody,
  text,
  writeAnswer,
  writeTruncated,
  type Answer,
  type RequestContext,
} from './http.js';
import type { SimMeter } from './loadModel.js';
import { corruptAnswer } from './malformed.js';
import { DEFAULT_QUOTAS, Quotas, type QuotaSettings } from './quotas.js';
import { buildRoutes, type Route } from './routes.js';
import { simRoute, type SimControl, type SimStats } from './simRoutes.js';
import { SimState, type OresTokenPair } from './state.js';

export type { SimStats } from './simRoutes.js';
export type { FaultSettings } from './faults.js';
export type { QuotaSettings } from './quotas.js';

export interface SimulatorOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  seed?: number;
  /** The simulated "now" (what is today, token expiry); default real time. */
  now?: () => Date;
  consent?: 'approve' | 'deny';
  /** When set, the consent page and token endpoint only accept this client. */
  enedisClientId?: string;
  enedisClientSecret?: string;
  oresClientId?: string;
  quotas?: Partial<QuotaSettings>;
  faults?: Partial<FaultSettings>;
  tokenTtlSeconds?: { enedis?: number; ores?: number };
  /** Monotonic clock in ms for quota windows (default performance.now); tests may freeze it. */
  quotaClock?: () => number;
  /** One line per request (method, path, status); never tokens or query strings. */
  log?: (line: string) => void;
  /** Enedis API names (e.g. consommation_quotidienne) the application is not subscribed to. */
  enedisUnsubscribedApis?: string[];
  /** Meters serve realistic noisy load (see SimMeterOptions.realistic). */
  realistic?: boolean;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  port: number;
  close(): Promise<void>;
  meters(): SimMeter[];
  /** Creates meters with an active consent, as if their owners had approved. */
  createMeters(provider: ProviderName, count: number): SimMeter[];
  /** A fresh ORES token pair for a meter (as after a consent). */
  issueOresTokens(prm: string): OresTokenPair;
  /**
   * Makes an Enedis meter's consent start on `day` with no history before it: windows that
   * start earlier answer 403 ADAM-DC-0009.
   */
  startConsentOn(prm: string, day: string): void;
  /** Withdraws a meter's consent: its data calls answer 403, its refresh tokens fail. */
  revokeConsent(prm: string): boolean;
  stats(): SimStats;
  resetStats(): void;
  /** Replaces the fault settings (missing keys become 0); throws UsageError when invalid. */
  setFaults(f: Partial<FaultSettings>): void;
  setConsent(mode: 'approve' | 'deny'): void;
}

/** Injected hangs end after this, so nothing waits forever. */
const HANG_LIMIT_MS = 60_000;

function emptyStats(state: SimState): SimStats {
  return {
    requests: 0,
    calls: {},
    statuses: {},
    rateLimited: 0,
    serverErrors: 0,
    faults: { '429': 0, '500': 0, '503': 0, timeout: 0, malformed: 0, truncated: 0 },
    maxConcurrent: 0,
    inFlight: 0,
    meters: {
      enedis: [...state.meters.values()].filter((r) => r.meter.provider === 'enedis').length,
      ores: [...state.meters.values()].filter((r) => r.meter.provider === 'ores').length,
    },
  };
}

function checkQuotas(q: Partial<QuotaSettings> | undefined): QuotaSettings {
  const out = { ...DEFAULT_QUOTAS, ...q };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v < 0 || (k !== 'oresMinIntervalMs' && v < 1)) {
      throw new UsageError(`Invalid simulator quota ${k}: ${v}`);
    }
  }
  return out;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const seed = opts.seed ?? 42;
  const now = opts.now ?? (() => new Date());
  const ttl = {
    enedis: opts.tokenTtlSeconds?.enedis ?? 12_600,
    ores: opts.tokenTtlSeconds?.ores ?? 3600,
  };
  const state = new SimState(seed, now, ttl, { realistic: opts.realistic === true });
  const quotas = new Quotas(checkQuotas(opts.quotas), opts.quotaClock);
  const initialFaults = checkFaults(opts.faults ?? {});
  if (typeof initialFaults === 'string')
    throw new UsageError(`Invalid simulator faults: ${initialFaults}`);
  const faults = new FaultInjector(seed, initialFaults);
  let consentMode = opts.consent ?? 'approve';
  let stats = emptyStats(state);
  let tooManyCount = 0;
  const log = opts.log;
  const hangs = new Set<NodeJS.Timeout>();
  const sleepers = new Set<() => void>();

  let hourlyCount = 0;
  const unsubscribed: ReadonlySet<string> = new Set(opts.enedisUnsubscribedApis ?? []);
  // The 2026 APIs answer a quota with a bare body naming it, no Retry-After and no
  // nextAccessTime (Enedis Data Connect 2026 API descriptions, quota section): "Quota Q3
  // reached" per second, "Quota Q4 reached" or "SLA dépassé" per hour. v5 paths keep the
  // older style below.
  const enedisQuotaAnswer = (waitMs: number, scope: 'second' | 'hour', path: string): Answer => {
    if (path.includes('/v5/')) return enedisTooMany(waitMs);
    const message =
      scope === 'second'
        ? 'Quota Q3 reached'
        : hourlyCount++ % 2 === 0
          ? 'Quota Q4 reached'
          : 'SLA dépassé';
    return json(429, { code: '429', message });
  };

  // Enedis sends Retry-After on about half of its 429s; alternate so runs are reproducible.
  const enedisTooMany = (waitMs: number): Answer => {
    const headers =
      tooManyCount++ % 2 === 0 ? { 'retry-after': String(Math.ceil(waitMs / 1000)) } : undefined;
    return apiError(
      429,
      'too_many_requests',
      'The quota of calls for this API has been exceeded',
      { nextAccessTime: formatIsoMillisLocal(state.nowMs() + waitMs) },
      headers,
    );
  };

  const routes: Route[] = buildRoutes({
    enedis: {
      state,
      consentMode: () => consentMode,
      ...(opts.enedisClientId !== undefined && { clientId: opts.enedisClientId }),
      ...(opts.enedisClientSecret !== undefined && { clientSecret: opts.enedisClientSecret }),
      takeQuota: (path) => quotas.takeEnedisQuota(path),
      unsubscribedApis: () => unsubscribed,
      tooManyRequests: enedisQuotaAnswer,
    },
    ores: {
      state,
      consentMode: () => consentMode,
      ...(opts.oresClientId !== undefined && { clientId: opts.oresClientId }),
      takeQuota: (prm) => quotas.takeOres(prm),
    },
  });

  const control: SimControl = {
    state,
    stats: () => ({ ...stats, meters: emptyStats(state).meters }),
    resetStats: () => {
      const inFlight = stats.inFlight;
      stats = emptyStats(state);
      stats.inFlight = inFlight;
    },
    faults: () => faults.settings,
    replaceFaults: (input) => {
      const result = checkFaults(input);
      if (typeof result !== 'string') faults.set(result);
      return result;
    },
    setConsent: (mode) => {
      consentMode = mode;
    },
    consentMode: () => consentMode,
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  const send = (
    res: ServerResponse,
    ctx: RequestContext,
    answer: Answer,
    truncated = false,
  ): void => {
    const key = String(answer.status);
    stats.statuses[key] = (stats.statuses[key] ?? 0) + 1;
    if (answer.status === 429) stats.rateLimited++;
    if (answer.status >= 500) stats.serverErrors++;
    log?.(`${ctx.method} ${ctx.path} ${answer.status}${truncated ? ' (truncated)' : ''}`);
    if (truncated) writeTruncated(res, answer);
    else writeAnswer(res, answer);
  };

  const hang = (res: ServerResponse, ctx: RequestContext): void => {
    log?.(`${ctx.method} ${ctx.path} (left hanging)`);
    const timer = setTimeout(() => res.socket?.destroy(), HANG_LIMIT_MS);
    hangs.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      hangs.delete(timer);
    });
  };

  const faultAnswer = (provider: ProviderName, d: FaultDecision): Answer => {
    if (d.error === '429') {
      if (provider === 'enedis') return enedisTooMany(1000);
      return apiError(429, 'too_many_requests', 'Too many requests', undefined, {
        'retry-after': '1',
      });
    }
    if (d.error === '503')
      return apiError(503, 'service_unavailable', 'Service temporarily unavailable');
    return apiError(500, 'internal_server_error', 'An unexpected error occurred');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.inFlight++;
    stats.requests++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.inFlight);
    res.on('close', () => {
      stats.inFlight--;
    });
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : '';
    const ctx: RequestContext = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    stats.calls[ctx.path] = (stats.calls[ctx.path] ?? 0) + 1;

    if (ctx.path.startsWith('/_sim/')) {
      send(
        res,
        ctx,
        simRoute(ctx, control) ?? apiError(404, 'not_found', `No such endpoint: ${ctx.path}`),
      );
      return;
    }
    const onPath = routes.filter((r) => r.path === ctx.path);
    const route = onPath.find((r) => r.method === method);
    if (!route) {
      send(
        res,
        ctx,
        onPath.length > 0 ? apiError(405, 'method_not_allowed') : apiError(404, 'not_found'),
      );
      return;
    }
    let decision: FaultDecision | undefined;
    if (route.data) {
      decision = faults.decide();
      if (faults.settings.latencyMs > 0) await sleep(faults.settings.latencyMs);
      if (decision.error === 'timeout') {
        stats.faults.timeout++;
        hang(res, ctx);
        return;
      }
      if (decision.error) {
        stats.faults[decision.error]++;
        send(res, ctx, faultAnswer(route.provider, decision));
        return;
      }
    }
    const answer = route.handle(ctx);
    if (decision?.body && answer.status === 200) {
      stats.faults[decision.body]++;
      if (decision.body === 'truncated') send(res, ctx, answer, true);
      else send(res, ctx, corruptAnswer(answer, decision.variant));
      return;
    }
    send(res, ctx, answer);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log?.(
        `${req.method} ${req.url?.split('?')[0]} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      if (!res.headersSent) writeAnswer(res, text(500, 'simulator error'));
      else res.destroy();
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of hangs) clearTimeout(t);
        hangs.clear();
        for (const wake of [...sleepers]) wake();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    meters: () => [...state.meters.values()].map((r) => r.meter),
    createMeters: (provider, count) => {
      if (!Number.isInteger(count) || count < 0)
        throw new UsageError(`Invalid meter count: ${count}`);
      return Array.from({ length: count }, () => state.createMeter(provider).meter);
    },
    issueOresTokens: (prm) => {
      if (state.meters.get(prm)?.meter.provider !== 'ores')
        throw new UsageError(`No simulated ORES meter ${prm}`);
      return state.issueOresTokens(prm);
    },
    revokeConsent: (prm) => state.revokeConsent(prm),
    startConsentOn: (prm, day) => {
      const consent = state.meters.get(prm)?.consent;
      if (!consent) throw new UsageError(`No simulated Enedis meter ${prm}`);
      consent.dateDebut = day;
      consent.noHistoryBeforeStart = true;
    },
    stats: control.stats,
    resetStats: control.resetStats,
    setFaults: (f) => {
      const result = control.replaceFaults(f);
      if (typeof result === 'string') throw new UsageError(`Invalid simulator faults: ${result}`);
    },
    setConsent: control.setConsent,
  };
}
