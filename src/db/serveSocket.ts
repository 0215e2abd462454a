/**
 * Serving the embedded database to other processes. PGlite has one connection and its data
 * directory is locked to one process; the holder (the daemon, or a long `sync`) serves it
 * over the PostgreSQL protocol on a unix socket next to the lock file, and records the socket
 * in the lock so `stats`, `readings` and the others connect there instead of failing with
 * "in use". PGlite runs each client's queries exclusively, so a transaction of the holder
 * never interleaves with a client's statements.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from '../ui/logger.js';
import type { EmbeddedDatabase } from './embedded.js';

export interface ServedDatabase {
  /** The socket path, or host:port on loopback TCP. */
  where: string;
  stop(): Promise<void>;
}

/** The socket port number is part of the file name PostgreSQL clients look for. */
const SOCKET_PORT = 5432;

/** Serves the database; null when it is not an embedded one held through a lock. */
export async function serveEmbeddedDatabase(
  embedded: EmbeddedDatabase | null,
  log: Logger,
): Promise<ServedDatabase | null> {
  if (!embedded?.lock) return null;
  const lock = embedded.lock;
  const dir = path.dirname(lock.file);
  const socketPath = path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
  // Unix socket paths are limited to ~107 bytes; fall back to loopback TCP beyond that.
  const useUnix = Buffer.byteLength(socketPath) < 100;
  // This process holds the lock: a socket file still there was left by a holder that was
  // killed (SIGKILL, power loss) and would make the listen fail with EADDRINUSE.
  if (useUnix) fs.rmSync(socketPath, { force: true });
  const server = new PGLiteSocketServer(
    useUnix
      ? { db: embedded.pglite, path: socketPath }
      : { db: embedded.pglite, host: '127.0.0.1', port: 0 },
  );
  await server.start();
  let where = socketPath;
  if (useUnix) lock.update({ socketDir: dir, socketPort: SOCKET_PORT });
  else {
    where = server.getServerConn();
    lock.update({ socketDir: '127.0.0.1', socketPort: Number(where.split(':').pop()) });
  }
  log.info('serving the embedded database to other commands', { socket: where });
  return {
    where,
    async stop() {
      // Clients see the socket disappear before the lock does, so none connects to a
      // database about to close.
      lock.update({ socketDir: undefined, socketPort: undefined });
      await server.stop().catch(() => {});
    },
  };
}
