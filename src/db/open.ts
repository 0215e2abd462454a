/**
 * Opens the configured database: a PostgreSQL server when a URL is configured, else the
 * embedded one in the data directory, or, when a daemon holds that directory, the daemon's
 * PostgreSQL-protocol socket. Migrates on first use and applies the storage policies.
 */
import type { Config } from '../config.js';
import { openEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js';
import type { EngineProfile } from './engineSettings.js';
import { readLock } from './lock.js';
import { migrate, withMigrationLock, type MigrateResult } from './migrate.js';
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
  /**
   * How long this process keeps the embedded engine open. Default: long-lived for the
   * process that serves the database to others (viaDaemon false, the daemon), else
   * short-lived (a query command).
   */
  profile?: EngineProfile;
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
  } else {
    const holder = opts.viaDaemon === false ? null : readLock(config.database.dataDir);
    if (holder?.socketDir && holder.socketPort && holder.pid !== process.pid) {
      db = await openServerDatabase({
        url: daemonSocketUrl(holder.socketDir, holder.socketPort),
        max: 1,
        connectionPerStatement: true,
        kind: 'embedded-via-daemon',
        location: `${config.database.dataDir} (through the daemon, pid ${holder.pid})`,
      });
    } else {
      embedded = await openEmbeddedDatabase(config.database.dataDir, {
        command: opts.command,
        profile: opts.profile ?? (opts.viaDaemon === false ? 'long-lived' : 'short-lived'),
      });
      db = embedded;
    }
  }
  try {
    // Installing the extension, migrating and applying policies all run under the migration
    // lock: two processes opening a fresh server database at once would otherwise race on
    // CREATE EXTENSION / CREATE TABLE IF NOT EXISTS.
    const setup = await withMigrationLock(db, async (session) => {
      if (db.kind === 'server') {
        const why = await tryInstallTimescale(session);
        if (why)
          notices.push(
            `${why}: hypertable, compression, continuous aggregate and policies are skipped`,
          );
      }
      const timescale = await detectTimescale(session);
      let migration: MigrateResult | null = null;
      if (opts.migrate !== false && db.kind !== 'embedded-via-daemon') {
        migration = await migrate(session);
        await applyStoragePolicies(session, config.storage, timescale);
      }
      return { timescale, migration };
    });
    return Object.assign(db, { ...setup, notices, embedded });
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}
