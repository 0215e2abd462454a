/**
 * Opens the configured database: a PostgreSQL server when a URL is configured, else the
 * embedded one in the data directory, or, when a daemon holds that directory, the daemon's
 * PostgreSQL-protocol socket. Migrates on first use and applies the storage policies.
 */
import type { Config } from '../config.js';
import { openEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js';
import { readLock } from './lock.js';
import { migrate, type MigrateResult } from './migrate.js';
import { openServerDatabase } from './server.js';
import {
  applyStoragePolicies,
  detectTimescale,
  tryInstallTimescale,
  type TimescaleInfo,
} from './timescale.js';
import type { Database } from './types.js';

export interface OpenedDatabase extends Database {
  timescale: TimescaleInfo;
  /** Said once: e.g. TimescaleDB missing on the server, features skipped. */
  notices: string[];
  migration: MigrateResult | null;
  embedded: EmbeddedDatabase | null;
}

export interface OpenOptions {
  /** Name of the command, recorded in the embedded lock. */
  command: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** With the embedded database held by a daemon, go through its socket (default true). */
  viaDaemon?: boolean;
}

export function daemonSocketUrl(socketDir: string, port: number): string {
  return `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}&port=${port}`;
}

export async function openDatabase(config: Config, opts: OpenOptions): Promise<OpenedDatabase> {
  const notices: string[] = [];
  let db: Database;
  let embedded: EmbeddedDatabase | null = null;
  if (config.database.url) {
    db = await openServerDatabase({ url: config.database.url });
    const why = await tryInstallTimescale(db);
    if (why)
      notices.push(
        `${why}: hypertable, compression, continuous aggregate and policies are skipped`,
      );
  } else {
    const holder = opts.viaDaemon === false ? null : readLock(config.database.dataDir);
    if (holder?.socketDir && holder.socketPort && holder.pid !== process.pid) {
      db = await openServerDatabase({
        url: daemonSocketUrl(holder.socketDir, holder.socketPort),
        max: 1,
        kind: 'embedded-via-daemon',
        location: `${config.database.dataDir} (through the daemon, pid ${holder.pid})`,
      });
    } else {
      embedded = await openEmbeddedDatabase(config.database.dataDir, { command: opts.command });
      db = embedded;
    }
  }
  try {
    let migration: MigrateResult | null = null;
    const timescale = await detectTimescale(db);
    if (opts.migrate !== false && db.kind !== 'embedded-via-daemon') {
      migration = await migrate(db);
      await applyStoragePolicies(db, config.storage, timescale);
    }
    return Object.assign(db, { timescale, notices, migration, embedded });
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}
