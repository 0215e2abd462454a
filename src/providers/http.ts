/**
 * Shared HTTP for the provider adapters, on the global `fetch`.
 *
 * One request, one answer: a per-request timeout, a bounded body, and every failure turned
 * into a ProviderCallError whose `kind` tells the sync engine what to do. Nothing here
 * retries; the sync engine owns retries and backoff.
 */
import { ProviderCallError } from './errors.js';
import { parseRetryAfterHeader, parseNextAccessTime, readQuotaBody } from './retryAfter.js';

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Answers larger than this are refused: a 7-day 10-minute load curve is well under 200 kB. */
export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpRequest {
  /** Provider label used in messages ("Enedis", "ORES"). */
  provider: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  maxBodyBytes?: number;
  /** Values that must never appear in an error message (tokens, secrets, codes). */
  secrets?: string[];
}

export interface HttpDeps {
  fetch?: FetchLike;
  now?: () => Date;
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  json: unknown;
}

/** Form-encodes a body; undefined values are left out. */
export function formBody(fields: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, v);
  return p.toString();
}

/** Appends query parameters to a URL (which may already hold some). */
export function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Replaces every secret in a text by "***". Short values are skipped to keep messages readable. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('***');
  return out;
}

/** Method and path only: query strings can carry identifiers that do not belong in logs. */
function describe(req: HttpRequest): string {
  try {
    return `${req.method} ${new URL(req.url).pathname}`;
  } catch {
    return req.method;
  }
}

/**
 * Sends a request and returns the parsed JSON answer of a 2xx. Any other outcome throws a
 * ProviderCallError (or the caller's abort reason when the caller's signal fired).
 */
export async function requestJson(req: HttpRequest, deps: HttpDeps = {}): Promise<JsonAnswer> {
  const fetchFn = deps.fetch ?? (globalThis.fetch as FetchLike);
  const now = deps.now ?? (() => new Date());
  const where = describe(req);
  const secrets = [...(req.secrets ?? [])];
  const auth = req.headers?.['Authorization'] ?? req.headers?.['authorization'];
  if (auth) secrets.push(auth.replace(/^Bearer\s+/i, ''));

  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const fail = (e: unknown, phase: 'connect' | 'body'): never => {
    // The caller cancelled: let its reason through untouched (shutdown is not a provider error).
    if (req.signal?.aborted) throw req.signal.reason;
    if (timeout.aborted) {
      throw new ProviderCallError(
        'transient',
        `${req.provider}: no answer within ${Math.round(req.timeoutMs / 1000)} s (${where})`,
        { cause: e },
      );
    }
    if (e instanceof ProviderCallError) throw e;
    const detail = redact(errorText(e), secrets);
    if (phase === 'body') {
      throw new ProviderCallError(
        'malformed',
        `${req.provider}: answer cut short (${where}): ${detail}`,
        {
          cause: e,
        },
      );
    }
    throw new ProviderCallError(
      'transient',
      `${req.provider}: request failed (${where}): ${detail}`,
      {
        cause: e,
      },
    );
  };

  let res: Response;
  try {
    res = await fetchFn(req.url, {
      method: req.method,
      headers: { Accept: 'application/json', ...req.headers },
      body: req.body,
      signal,
      redirect: 'manual',
    });
  } catch (e) {
    return fail(e, 'connect');
  }

  let text: string;
  try {
    text = await readBody(res, req.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, req.provider, where);
  } catch (e) {
    return fail(e, 'body');
  }

  if (res.status >= 200 && res.status < 300) {
    if (text.trim() === '') return { status: res.status, headers: res.headers, json: null };
    try {
      return { status: res.status, headers: res.headers, json: JSON.parse(text) };
    } catch {
      throw new ProviderCallError(
        'malformed',
        `${req.provider}: answer is not valid JSON (${where}, ${text.length} characters)`,
        { status: res.status },
      );
    }
  }
  throw classifyAnswer(res.status, text, res.headers, {
    provider: req.provider,
    where,
    now: now(),
    secrets,
  });
}

/** Reads a body as UTF-8, refusing one larger than maxBytes. */
async function readBody(
  res: Response,
  maxBytes: number,
  provider: string,
  where: string,
): Promise<string> {
  const tooLarge = () =>
    new ProviderCallError(
      'malformed',
      `${provider}: answer larger than ${maxBytes} bytes (${where})`,
      {
        status: res.status,
      },
    );
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? e.cause : undefined;
    const code = (cause as { code?: unknown } | undefined)?.code ?? (e as { code?: unknown }).code;
    const base = cause ? `${e.message}: ${cause.message}` : e.message;
    return typeof code === 'string' && !base.includes(code) ? `${base} (${code})` : base;
  }
  return String(e);
}

/**
 * The provider's error body, when it is one: `{"error","error_description"}` (OAuth, Enedis
 * ADAM codes), `{"code","message"}` (Enedis quotas), or an API gateway's
 * `{"fault":{"code":900908,"message","description"}}` (the code may be a number).
 */
export function parseErrorBody(text: string): {
  error?: string;
  description?: string;
  nextAccessTime?: string;
} {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return {};
  }
  if (j === null || typeof j !== 'object') return {};
  const top = j as Record<string, unknown>;
  const fault = top.fault;
  const o = fault !== null && typeof fault === 'object' ? (fault as Record<string, unknown>) : top;
  const str = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : typeof v === 'string' && v.trim() !== ''
        ? v.trim()
        : undefined;
  const r: { error?: string; description?: string; nextAccessTime?: string } = {};
  const error = str(o.error) ?? str(o.code);
  // A gateway fault puts the useful sentence in `description`, a short title in `message`.
  const description = str(o.error_description) ?? str(o.description) ?? str(o.message);
  const next = str(top.nextAccessTime);
  if (error) r.error = error;
  if (description) r.description = description;
  if (next) r.nextAccessTime = next;
  return r;
}

/** The API a call went to, named as the provider's documentation names it (the path's last part). */
export function apiNameOf(where: string): string {
  const path = where.split(' ').pop() ?? where;
  const parts = path.split('/').filter((x) => x !== '');
  return parts[parts.length - 1] ?? path;
}

/**
 * Turns a non-2xx answer into a ProviderCallError. Pure apart from its inputs, so each
 * status/code of the wire contract can be checked on its own.
 */
export function classifyAnswer(
  status: number,
  text: string,
  headers: Headers,
  ctx: { provider: string; where: string; now: Date; secrets?: readonly string[] },
): ProviderCallError {
  const body = parseErrorBody(text);
  const code = body.error;
  const said = body.description ? `: ${body.description.slice(0, 300)}` : '';
  const label = code ? `${status} ${code}` : `${status}`;
  const msg = redact(`${ctx.provider}: ${label}${said} (${ctx.where})`, ctx.secrets);
  const extra = { status, ...(code !== undefined ? { code } : {}) };

  if (status === 429) {
    const quota = readQuotaBody(`${code ?? ''} ${body.description ?? ''} ${text}`, ctx.now);
    const retryAfterMs =
      parseRetryAfterHeader(headers.get('retry-after'), ctx.now) ??
      parseNextAccessTime(body.nextAccessTime, ctx.now) ??
      quota?.waitMs;
    return new ProviderCallError('rate_limited', msg, {
      ...extra,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(quota ? { quota: quota.scope } : {}),
    });
  }
  if (code === 'invalid_grant') {
    return new ProviderCallError('consent_invalid', msg, {
      ...extra,
      hint: 'Link the meter again.',
    });
  }
  if (code === 'invalid_client') {
    return new ProviderCallError('bad_request', msg, {
      ...extra,
      hint: `Check the ${ctx.provider} client id and client secret in the configuration.`,
    });
  }
  if (status === 401) return new ProviderCallError('token_expired', msg, extra);
  if (status === 403) return classifyForbidden(msg, body, extra, ctx);
  if (status === 404) {
    // A 404 without the provider's error body is a wrong URL, not "no data": saying
    // "no data" there would hide a configuration mistake behind empty syncs.
    if (code) return new ProviderCallError('no_data', msg, extra);
    return new ProviderCallError('bad_request', msg, {
      ...extra,
      hint: `Check the ${ctx.provider} URLs (baseUrl) in the configuration.`,
    });
  }
  if (status === 408 || status >= 500) return new ProviderCallError('transient', msg, extra);
  if (status >= 300 && status < 400) {
    return new ProviderCallError('bad_request', msg, {
      ...extra,
      hint: `Unexpected redirect: check the ${ctx.provider} URLs in the configuration.`,
    });
  }
  return new ProviderCallError('bad_request', msg, extra);
}

/**
 * A 403 says one of three things: the application is not subscribed to this API at the
 * provider (gateway code 900908: re-linking cannot help), the window starts before the
 * consent's start (ADAM-DC-0009: ask again from the consent's start), or the consent is
 * gone (ADAM-DC-0008 and any other 403: link the meter again).
 */
function classifyForbidden(
  msg: string,
  body: { error?: string; description?: string },
  extra: { status: number; code?: string },
  ctx: { provider: string; where: string },
): ProviderCallError {
  const api = apiNameOf(ctx.where);
  if (body.error === '900908' || /subscription validation failed/i.test(body.description ?? '')) {
    return new ProviderCallError(
      'api_not_subscribed',
      `${ctx.provider}: the application is not subscribed to the ${api} API (${msg.replace(`${ctx.provider}: `, '')})`,
      {
        ...extra,
        api,
        hint:
          ctx.provider === 'Enedis'
            ? `Subscribe the application to the ${api} API in the Enedis DataHub (Data Connect application settings), then sync again; linking the meter again cannot help.`
            : `Subscribe the application to the ${api} API at ${ctx.provider}, then sync again; linking the meter again cannot help.`,
      },
    );
  }
  if (body.error === 'ADAM-DC-0009') {
    return new ProviderCallError('before_consent_start', msg, {
      ...extra,
      api,
      hint: "Ask again from the consent's start day.",
    });
  }
  return new ProviderCallError('consent_invalid', msg, {
    ...extra,
    api,
    hint: 'The consent is gone or was refused: link the meter again.',
  });
}
