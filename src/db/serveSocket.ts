/**
 * Serving the embedded database to other processes. PGlite has one connection and its data
 * directory is locked to one process; the holder (the daemon, or a long `sync`) serves it
 * over the PostgreSQL protocol on a unix socket next to the lock file, and records the socket
 * in the lock so `stats`, `readings` and the others connect there instead of failing with
 * "in use". Socket clients and the holder's own statements wait in one queue
 * (socketInstance), so a transaction of the holder never interleaves with a client's
 * statements; a client that keeps its connection open (psql, a BI tool) still holds the
 * instance until it disconnects.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { Logger } from '../ui/logger.js';
import type { EmbeddedDatabase } from './embedded.js';
import { socketInstance } from './socketInstance.js';

export interface ServedDatabase {
  /** The socket path. */
  where: string;
  stop(): Promise<void>;
}

/** The socket port number is part of the file name PostgreSQL clients look for. */
const SOCKET_PORT = 5432;

/** A socket file left by a holder that died (kill -9): safe to remove once we hold the lock. */
function removeStaleSocket(socketPath: string): void {
  try {
    if (fs.lstatSync(socketPath).isSocket()) fs.unlinkSync(socketPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * Where the socket goes: beside the lock, or, when that path is too long for a unix socket
 * (~107 bytes), in a private (0700) directory under the system temp dir — never a TCP port
 * other users could reach.
 */
function socketDirectory(lockFile: string): { dir: string; cleanup: () => void } {
  const dir = path.dirname(lockFile);
  if (Buffer.byteLength(path.join(dir, `.s.PGSQL.${SOCKET_PORT}`)) < 100)
    return { dir, cleanup: () => {} };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-'));
  return { dir: tmp, cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }) };
}

/** Serves the database; null when it is not an embedded one held through a lock. */
export async function serveEmbeddedDatabase(
  embedded: EmbeddedDatabase | null,
  log: Logger,
): Promise<ServedDatabase | null> {
  if (!embedded?.lock) return null;
  const lock = embedded.lock;
  const { dir, cleanup } = socketDirectory(lock.file);
  const socketPath = path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
  // This process holds the data-directory lock, so a socket file here belongs to a holder
  // that is gone; left in place, listen() would fail with EADDRINUSE.
  removeStaleSocket(socketPath);
  const server = new PGLiteSocketServer({
    db: socketInstance(embedded.pglite, embedded.exclusive),
    path: socketPath,
  });
  await server.start();
  fs.chmodSync(socketPath, 0o600);
  lock.update({ socketDir: dir, socketPort: SOCKET_PORT });
  log.info('serving the embedded database to other commands', { socket: socketPath });
  return {
    where: socketPath,
    async stop() {
      // Clients see the socket disappear before the lock does, so none connects to a
      // database about to close.
      lock.update({ socketDir: undefined, socketPort: undefined });
      await server.stop().catch(() => {});
      cleanup();
    },
  };
}
