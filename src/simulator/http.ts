/**
 * Small HTTP pieces for the simulator: handlers return an Answer (status, JSON or text,
 * headers) instead of writing to the response, so faults can alter a body before it leaves.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const MAX_BODY_BYTES = 1_000_000;

export function json(status: number, body: unknown, headers?: Record<string, string>): Answer {
  return headers ? { status, json: body, headers } : { status, json: body };
}

/** The providers' error body: {"error","error_description", …extra}. */
export function apiError(
  status: number,
  error: string,
  description?: string,
  extra?: Record<string, unknown>,
  headers?: Record<string, string>,
): Answer {
  const body: Record<string, unknown> = { error };
  if (description !== undefined) body['error_description'] = description;
  return json(status, { ...body, ...extra }, headers);
}

export function text(
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): Answer {
  return { status, text: body, contentType };
}

/** 302 to `target` with `params` added to its query (keeping the query it already has). */
export function redirectWith(target: URL, params: Record<string, string>): Answer {
  const url = new URL(target.toString());
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return { status: 302, headers: { location: url.toString() }, text: '' };
}

/** Parses an absolute http(s) redirect_uri; null when missing or not one. */
export function parseRedirectUri(raw: string | null): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** Reads a request body up to MAX_BODY_BYTES; rejects when larger. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON request body; undefined when it is not JSON. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export function serialise(answer: Answer): { body: string; contentType: string } {
  if (answer.json !== undefined) {
    return { body: JSON.stringify(answer.json), contentType: 'application/json' };
  }
  return {
    body: answer.text ?? '',
    contentType: answer.contentType ?? 'text/plain; charset=utf-8',
  };
}

/** Writes an answer in full. */
export function writeAnswer(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const { body, contentType } = serialise(answer);
  res.writeHead(answer.status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    ...answer.headers,
  });
  res.end(body);
}

/**
 * Writes the status line and half of the body, announcing the full length, then drops the
 * connection: the client sees a transfer cut off mid-body, as on a reset link.
 */
export function writeTruncated(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const { body, contentType } = serialise(answer);
  const bytes = Buffer.from(body);
  res.writeHead(answer.status, {
    'content-type': contentType,
    'content-length': String(bytes.length),
    ...answer.headers,
  });
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => {
    res.socket?.destroy();
  });
}
