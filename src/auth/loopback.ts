/**
 * The RFC 8252 loopback listener: the provider's consent page (or the HTTPS relay page)
 * sends the browser to http://127.0.0.1:<port>/callback?code=…&state=…, and this answers
 * with a small page and hands the parameters to the caller. It serves one answer, then
 * closes itself, so no port stays open behind a finished or abandoned link.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AuthError, InterruptedError, UsageError, UserError } from '../domain/errors.js';
import type { CallbackParams } from '../providers/types.js';
import { failurePage, notFoundPage, type CallbackPage } from './callbackPage.js';
import { judgeCallback, readCallbackParams, RESTART, type Outcome } from './callbackCheck.js';

export const DEFAULT_LOOPBACK_TIMEOUT_MS = 300_000;
const LOOPBACK_HOST = '127.0.0.1';

export interface LoopbackOptions {
  /**
   * The state sent with the authorization request. A function receives the port the
   * listener got, for states that carry it (encodeRelayState with port 0).
   */
  expectedState: string | ((port: number) => string);
  /** How long to wait for the browser (default 300000 ms). */
  timeoutMs?: number;
  /** Path of the redirect (default /callback). */
  path?: string;
  /** Port on 127.0.0.1; 0 (default) takes a free one. */
  port?: number;
  signal?: AbortSignal;
}

export interface LoopbackListener {
  /** http://127.0.0.1:<port>/callback */
  redirectUri: string;
  port: number;
  /** The state the listener expects (expectedState, resolved with the port). */
  state: string;
  /** Settles once: the callback's parameters, or an AuthError; the port is closed by then. */
  result: Promise<CallbackParams>;
  /** Closes the listener; a pending result rejects. Safe to call more than once. */
  close(): Promise<void>;
}

function sendPage(res: ServerResponse, page: CallbackPage, done?: () => void): void {
  if (done) {
    res.once('finish', done);
    res.once('close', done);
  }
  res.writeHead(page.status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  });
  res.end(page.body);
}

function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(1)));
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
        reject(
          new UsageError(`port ${port} on ${LOOPBACK_HOST} is not available (${err.code})`, {
            hint: 'pass another --port, or omit it to take a free one',
            cause: err,
          }),
        );
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', onError);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the loopback listener has no TCP address'));
      } else resolve(address.port);
    });
  });
}

/** The abort reason when the caller gave a UserError (e.g. its own InterruptedError). */
function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof UserError
    ? signal.reason
    : new InterruptedError('the link was interrupted before the browser answered');
}

export async function startLoopbackListener(options: LoopbackOptions): Promise<LoopbackListener> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOOPBACK_TIMEOUT_MS;
  const path = options.path ?? '/callback';
  const requestedPort = options.port ?? 0;
  const { signal } = options;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535; got ${String(requestedPort)}`);
  }
  if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a positive number of seconds');
  if (!path.startsWith('/')) throw new UsageError('the callback path must start with "/"');
  if (signal?.aborted) throw abortError(signal);

  let resolveResult!: (params: CallbackParams) => void;
  let rejectResult!: (error: Error) => void;
  const result = new Promise<CallbackParams>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  // Callers that only close() without awaiting the result must not crash the process.
  result.catch(() => undefined);

  let expectedState: string | undefined;
  let settled = false;
  let closing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined = undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
    if (url.pathname !== path) return sendPage(res, notFoundPage());
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendPage(res, failurePage(405, 'Only GET is answered here.', RESTART));
    }
    if (settled || expectedState === undefined) {
      return sendPage(
        res,
        failurePage(410, 'This link attempt has already finished.', 'See the terminal.'),
      );
    }
    const { outcome, page } = judgeCallback(readCallbackParams(url.searchParams), expectedState);
    settled = true;
    // Settle once the page is on its way, so the browser gets it before the port closes.
    let finished = false;
    sendPage(res, page, () => {
      if (finished) return;
      finished = true;
      void finish(outcome);
    });
  });

  function shutdown(): Promise<void> {
    if (closing) return closing;
    if (timer) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    closing = new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      // Browsers keep idle (and speculative) sockets open; without this the process stays up.
      server.closeAllConnections();
    });
    return closing;
  }

  async function finish(outcome: Outcome): Promise<void> {
    settled = true;
    await shutdown();
    if (outcome.ok) resolveResult(outcome.params);
    else rejectResult(outcome.error);
  }

  function onAbort(): void {
    if (!settled && signal) void finish({ ok: false, error: abortError(signal) });
  }

  const port = await listen(server, requestedPort);
  try {
    const state =
      typeof options.expectedState === 'function'
        ? options.expectedState(port)
        : options.expectedState;
    if (state === '') throw new UsageError('the expected state must not be empty');
    if (signal?.aborted) throw abortError(signal);
    expectedState = state;
  } catch (error) {
    settled = true;
    await shutdown();
    throw error;
  }

  timer = setTimeout(() => {
    if (settled) return;
    void finish({
      ok: false,
      error: new AuthError(
        `no answer from the browser within ${formatSeconds(timeoutMs)} s; run again or pass --timeout`,
      ),
    });
  }, timeoutMs);
  signal?.addEventListener('abort', onAbort, { once: true });

  return {
    redirectUri: `http://${LOOPBACK_HOST}:${port}${path}`,
    port,
    state: expectedState,
    result,
    close: async () => {
      if (!settled) {
        await finish({
          ok: false,
          error: new InterruptedError('the link listener was closed before the browser answered'),
        });
      } else await shutdown();
    },
  };
}
