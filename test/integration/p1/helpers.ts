import net from 'node:net';
import type { ReceivedTelegram } from '../../../src/providers/p1/transports/types.js';

export const BROKER = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Collects what a transport delivers and lets a test wait for a count, with a bound. */
export function collector() {
  const got: ReceivedTelegram[] = [];
  const errors: Error[] = [];
  const waiters: Array<() => void> = [];
  return {
    got,
    errors,
    onTelegram: (r: ReceivedTelegram) => {
      got.push(r);
      for (const w of waiters.splice(0)) w();
    },
    onError: (e: Error) => {
      errors.push(e);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
  };
}

/** A TCP proxy to the broker that a test can take down and bring back on the same port. */
export async function brokerProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(target);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    /** Cuts every connection and stops listening, as a broker going down does. */
    async down() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
    up: listen,
  };
}
