/**
 * The database a command works on, opened for the duration of one use case and closed in
 * every case. Commands reach the database only through here and the services.
 */
import type { Config } from '../config.js';
import { openDatabase, type OpenedDatabase } from '../db/open.js';
import type { serveEmbeddedDatabase } from '../db/serveSocket.js';
import type { Logger } from '../ui/logger.js';

export type { Database, Queryable } from '../db/types.js';
export type { OpenedDatabase };

export interface OpenFor {
  /** The command, recorded in the embedded lock so another process can say who holds it. */
  command: string;
  /** Said once per open: e.g. TimescaleDB missing on the server. */
  onNotice?: (notice: string) => void;
  /**
   * A long use case (sync) serves the embedded database to other commands while it holds
   * it, as the daemon does, so they do not fail with "in use" for minutes.
   */
  serveWith?: Logger;
}

export async function withDatabase<T>(
  config: Config,
  how: OpenFor,
  fn: (db: OpenedDatabase) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(config, { command: how.command });
  let served: Awaited<ReturnType<typeof serveEmbeddedDatabase>> = null;
  try {
    for (const notice of db.notices) how.onNotice?.(notice);
    // Loaded only when serving: the socket server pulls in the engine.
    if (how.serveWith) {
      const { serveEmbeddedDatabase: serve } = await import('../db/serveSocket.js');
      served = await serve(db.embedded, how.serveWith);
    }
    return await fn(db);
  } finally {
    await served?.stop();
    await db.close();
  }
}
