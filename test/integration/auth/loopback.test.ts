import { get } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { portClosed } from '../../helpers/net.js';
import { describe, expect, it } from 'vitest';
import { startLoopbackListener } from '../../../src/auth/loopback.js';
import { encodeRelayState, randomState } from '../../../src/auth/pkce.js';
import { AuthError, InterruptedError, UsageError } from '../../../src/domain/errors.js';

interface Page {
  status: number;
  body: string;
}

/** A browser's GET on 127.0.0.1, bounded in time. */
function browse(port: number, path: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('loopback listener', () => {
  it('hands the callback parameters over, shows the success page, then closes', async () => {
    const state = randomState();
    const listener = await startLoopbackListener({ expectedState: state });
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${listener.port}/callback`);
    const page = await browse(
      listener.port,
      `/callback?code=abc123&state=${state}&usage_point_id=12345678901234`,
    );
    expect(page.status).toBe(200);
    expect(page.body).toContain('Meter linked, you can close this tab');
    await expect(listener.result).resolves.toEqual({
      code: 'abc123',
      state,
      usagePointId: '12345678901234',
    });
    expect(await portClosed(listener.port)).toBe(true);
  });

  it('reads the Enedis v2 autorisation_id', async () => {
    const state = randomState();
    const listener = await startLoopbackListener({ expectedState: state });
    await browse(listener.port, `/callback?state=${state}&code=c&autorisation_id=987654`);
    expect(await listener.result).toMatchObject({ autorisationId: '987654', code: 'c' });
  });

  it('answers 404 to other paths and favicon requests, and keeps waiting', async () => {
    const state = randomState();
    const listener = await startLoopbackListener({ expectedState: state });
    expect((await browse(listener.port, '/favicon.ico')).status).toBe(404);
    expect((await browse(listener.port, `/other?code=x&state=${state}`)).status).toBe(404);
    const page = await browse(listener.port, `/callback?code=x&state=${state}`);
    expect(page.status).toBe(200);
    await expect(listener.result).resolves.toMatchObject({ code: 'x' });
  });

  it('rejects a wrong state as a possible CSRF and closes', async () => {
    const listener = await startLoopbackListener({ expectedState: randomState() });
    const page = await browse(listener.port, `/callback?code=x&state=${randomState()}`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('state mismatch');
    expect(page.body).toContain('Start the link again');
    const error = await rejection(listener.result);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('possible CSRF');
    expect(error.message).toContain('nothing was stored');
    expect(await portClosed(listener.port)).toBe(true);
  });

  it('rejects a code that comes without a state', async () => {
    const listener = await startLoopbackListener({ expectedState: randomState() });
    await browse(listener.port, '/callback?code=x');
    expect((await rejection(listener.result)).message).toContain('possible CSRF');
  });

  it('reports a refused consent and closes', async () => {
    const state = randomState();
    const listener = await startLoopbackListener({ expectedState: state });
    const page = await browse(listener.port, `/callback?error=access_denied&state=${state}`);
    expect(page.status).toBe(403);
    expect(page.body).toContain('refused');
    const error = await rejection(listener.result);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe('consent refused at the provider');
    expect(await portClosed(listener.port)).toBe(true);
  });

  it('shows other provider errors escaped, as text', async () => {
    const state = randomState();
    const listener = await startLoopbackListener({ expectedState: state });
    const page = await browse(
      listener.port,
      `/callback?error=server_error&error_description=${encodeURIComponent('<script>x</script>')}&state=${state}`,
    );
    expect(page.body).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
    expect((await rejection(listener.result)).message).toContain('server_error');
  });

  it('gives up after the timeout with a hint, and closes', async () => {
    const listener = await startLoopbackListener({
      expectedState: randomState(),
      timeoutMs: 200,
    });
    const error = await rejection(listener.result);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe(
      'no answer from the browser within 0.2 s; run again or pass --timeout',
    );
    expect(await portClosed(listener.port)).toBe(true);
  });

  it('drops idle keep-alive connections when it closes, so the process can exit', async () => {
    const listener = await startLoopbackListener({
      expectedState: randomState(),
      timeoutMs: 200,
    });
    const idle: Socket = connect({ host: '127.0.0.1', port: listener.port });
    const closedByServer = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      idle.on('error', () => undefined);
      idle.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    await rejection(listener.result);
    expect(await closedByServer).toBe(true);
  });

  it('stops when its signal is aborted, and closes', async () => {
    const controller = new AbortController();
    const listener = await startLoopbackListener({
      expectedState: randomState(),
      signal: controller.signal,
    });
    controller.abort();
    expect(await rejection(listener.result)).toBeInstanceOf(InterruptedError);
    expect(await portClosed(listener.port)).toBe(true);
  });

  it('stops on close() before any answer', async () => {
    const listener = await startLoopbackListener({ expectedState: randomState() });
    await listener.close();
    await listener.close();
    expect(await rejection(listener.result)).toBeInstanceOf(InterruptedError);
    expect(await portClosed(listener.port)).toBe(true);
  });

  it('expects a relay state that carries its own port', async () => {
    const random = randomState();
    const listener = await startLoopbackListener({
      expectedState: (port) => encodeRelayState(random, port),
    });
    expect(listener.state).toBe(`${random}.${listener.port}`);
    await browse(listener.port, `/callback?code=x&state=${listener.state}`);
    await expect(listener.result).resolves.toMatchObject({ code: 'x' });
  });

  it('listens on a given port, and says when that port is taken', async () => {
    const port = await freePort();
    const state = randomState();
    const listener = await startLoopbackListener({ expectedState: state, port });
    expect(listener.redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    const second = await rejection(startLoopbackListener({ expectedState: state, port }));
    expect(second).toBeInstanceOf(UsageError);
    expect(second.message).toContain(`port ${port}`);
    await browse(port, `/callback?code=x&state=${state}`);
    await listener.result;
    expect(await portClosed(port)).toBe(true);
  });
});
