/**
 * The database a command works on, opened for the duration of one use case and closed in
 * every case. Commands reach the database only through here and the services.
 */
import type { Config } from '../config.js';
import { openDatabase, type OpenedDatabase } from '../db/open.js';

export type { Database, Queryable } from '../db/types.js';
export type { OpenedDatabase };

export interface OpenFor {
  /** The command, recorded in the embedded lock so another process can say who holds it. */
  command: string;
  /** Said once per open: e.g. TimescaleDB missing on the server. */
  onNotice?: (notice: string) => void;
}

export async function withDatabase<T>(
  config: Config,
  how: OpenFor,
  fn: (db: OpenedDatabase) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(config, { command: how.command });
  try {
    for (const notice of db.notices) how.onNotice?.(notice);
    return await fn(db);
  } finally {
    await db.close();
  }
}
