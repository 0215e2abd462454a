/** The TCP transport against a real local server streaming telegrams as ser2net does. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTcpTransport } from '../../../src/providers/p1/transports/tcp.js';
import type { TelegramTransport } from '../../../src/providers/p1/transports/types.js';
import { writeTelegram } from '../../../src/providers/p1/writeTelegram.js';
import { createPrng } from '../../../src/simulator/prng.js';
import { randomTelegram } from '../../unit/p1/randomTelegram.js';
import { collector } from './helpers.js';

let transport: TelegramTransport | null = null;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

afterEach(async () => {
  await transport?.stop();
  transport = null;
  for (const s of servers.splice(0)) {
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

function serve(onSocket: (s: net.Socket, n: number) => void, port = 0): Promise<number> {
  let n = 0;
  const server = net.createServer((s) => {
    sockets.add(s);
    onSocket(s, n++);
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

/** Writes text in small random pieces, as a serial-to-network bridge forwards bytes. */
function writeInPieces(s: net.Socket, text: string, seed: number): void {
  const prng = createPrng(seed);
  for (let i = 0; i < text.length;) {
    const n = prng.int(1, 64);
    s.write(text.slice(i, i + n), 'latin1');
    i += n;
  }
}

describe('TCP transport', () => {
  it('frames telegrams split across packets, passes on a corrupted one as rejected', async () => {
    const prng = createPrng(7);
    const telegrams = Array.from({ length: 5 }, () => randomTelegram(prng));
    const texts = telegrams.map(writeTelegram);
    const damaged = (texts[2] as string).replace('1-0:1.8.1(', '1-0:1.8.1(9');
    const port = await serve((s) => {
      writeInPieces(
        s,
        `noise before the first telegram\r\n${texts[0]}${texts[1]}${damaged}${texts[3]}${texts[4]}`,
        1,
      );
    });
    const c = collector();
    transport = createTcpTransport({ host: '127.0.0.1', port });
    transport.start(c.onTelegram, c.onError);
    await c.waitFor(() => c.got.length >= 5, '5 telegrams');
    expect(c.got.map((g) => g.result.ok)).toEqual([true, true, false, true, true]);
    const third = c.got[2]?.result;
    expect(third && !third.ok ? third.reason : '').toBe('crc_mismatch');
    const fourth = c.got[3]?.result;
    expect(fourth?.ok ? fourth.telegram.equipmentId : null).toBe(telegrams[3]?.equipmentId);
  });

  it('reconnects after the server drops the connection, and after it was refused', async () => {
    const prng = createPrng(8);
    const port = await serve((s, n) => {
      s.write(writeTelegram(randomTelegram(prng)), 'latin1');
      // The first connection is dropped right after one telegram.
      if (n === 0) setTimeout(() => s.destroy(), 50);
    });
    const c = collector();
    transport = createTcpTransport({
      host: '127.0.0.1',
      port,
      initialRetryMs: 50,
      maxRetryMs: 200,
    });
    transport.start(c.onTelegram, c.onError);
    await c.waitFor(() => c.got.length >= 2, 'a telegram on a second connection');
    expect(c.errors.some((e) => /connection closed; retrying/.test(e.message))).toBe(true);

    // A server that is down: refused connections are reported while the transport retries.
    await transport.stop();
    const free = await serve(() => {});
    const freePort = free;
    const down = servers.pop() as net.Server;
    await new Promise<void>((r) => down.close(() => r()));
    const c2 = collector();
    transport = createTcpTransport({
      host: '127.0.0.1',
      port: freePort,
      initialRetryMs: 50,
      maxRetryMs: 100,
    });
    transport.start(c2.onTelegram, c2.onError);
    await c2.waitFor(() => c2.errors.length >= 2, 'refused connections reported');
    expect(c2.errors[0]?.message).toMatch(/ECONNREFUSED/);
    await serve((s) => s.write(writeTelegram(randomTelegram(prng)), 'latin1'), freePort);
    await c2.waitFor(() => c2.got.length >= 1, 'a telegram once the server is up');
    expect(c2.got[0]?.result.ok).toBe(true);
  });
});
