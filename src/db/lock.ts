/**
 * The lock that keeps two processes from opening one embedded data directory (two PGlite
 * instances on one directory corrupt it).
 *
 * The lock is a directory created atomically by proper-lockfile (mkdir either creates it
 * or fails), whose modification time the holder refreshes every few seconds. Beside it, a
 * small JSON file says who holds it (pid, command, host) and where that process serves
 * the database (the daemon's socket); that file is information, never the lock itself.
 *
 * A lock is taken over only when it is proven stale: its refresh stopped for longer than
 * STALE_MS, or its holder is a process of this host that no longer exists. A lock whose
 * holder cannot be read is not stale. Every acquisition and every takeover happens while
 * holding a second, short-lived lock (`.takeover`), so two processes that both find a
 * stale lock never remove each other's fresh one, and the holder file always describes the
 * lock directory beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ConfigError, EXIT } from '../domain/errors.js';

export interface LockInfo {
  pid: number;
  command: string;
  host: string;
  startedAt: string;
  /** Directory of the PostgreSQL-protocol unix socket served by the holder, if any. */
  socketDir?: string;
  socketPort?: number;
}

export interface HeldLock {
  /** The lock directory (inside the data directory). */
  file: string;
  update(info: Partial<LockInfo>): void;
  release(): Promise<void>;
}

export const LOCK_DIR = 'koprogo-iot.lock.d';
export const LOCK_INFO_FILE = 'koprogo-iot.lock';
const TAKEOVER_DIR = 'koprogo-iot.lock.takeover';

/** A holder that has not refreshed its lock for this long is gone (or hung past saving). */
export const STALE_MS = 60_000;
const UPDATE_MS = 5_000;

/**
 * proper-lockfile keys the locks a process holds by the locked file's path, so the two
 * locks name two different (never created) files, each with its lock directory.
 */
function lockOptions(dataDir: string, name: string) {
  return { lockfilePath: path.join(dataDir, name), realpath: false };
}
const target = (dataDir: string, name: string) => path.join(dataDir, `${name}.target`);

/**
 * Creates the data directory readable by its owner only (0700), whatever the umask, and
 * turns a path that is a file or not writable into an error the user can fix.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dataDir);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) fs.chmodSync(dataDir, 0o700);
    fs.accessSync(dataDir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it (or a parent) is a file, not a directory'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'this user cannot write there'
          : (e as Error).message;
    throw new ConfigError(`cannot use the data directory ${dataDir}: ${why}`, {
      hint: 'point --data-dir (or KOPROGO_IOT_DATA_DIR) to a directory this user can write',
      cause: e,
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process nobody has reaped yet (a zombie) still answers signal 0.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust the signal
  }
}

function readInfo(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_INFO_FILE), 'utf8')) as unknown;
    if (info && typeof info === 'object' && typeof (info as LockInfo).pid === 'number')
      return info as LockInfo;
  } catch {
    /* missing or being written */
  }
  return null;
}

function writeInfo(dataDir: string, info: LockInfo): void {
  const file = path.join(dataDir, LOCK_INFO_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** True only with proof: the holder ran on this host and its process is gone. */
function holderIsDead(info: LockInfo | null): boolean {
  return info !== null && info.host === os.hostname() && !alive(info.pid);
}

/** The live holder of the data directory, or null when nobody holds it. */
export function readLock(dataDir: string): LockInfo | null {
  let held: boolean;
  try {
    held = lockfile.checkSync(target(dataDir, LOCK_DIR), {
      ...lockOptions(dataDir, LOCK_DIR),
      stale: STALE_MS,
    });
  } catch {
    return null; // no data directory yet
  }
  if (!held) return null;
  const info = readInfo(dataDir);
  return info && !holderIsDead(info) ? info : null;
}

async function underTakeoverLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  // Held for a few milliseconds; its own staleness (a crash inside) is proper-lockfile's.
  const release = await lockfile.lock(target(dataDir, TAKEOVER_DIR), {
    ...lockOptions(dataDir, TAKEOVER_DIR),
    stale: 10_000,
    retries: { retries: 400, minTimeout: 5, maxTimeout: 50 },
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}

function onCompromised(dataDir: string) {
  return (err: Error) => {
    // Another process took the directory over (this one stopped refreshing its lock for
    // longer than STALE_MS). Two instances writing one directory corrupt it: stop now.
    process.stderr.write(
      `koprogo-iot: lost the lock of the data directory ${dataDir} (${err.message}); stopping\n`,
    );
    process.exit(EXIT.DATABASE);
  };
}

/** Takes the lock, or returns the live holder (null info when it cannot be read). */
export async function acquireLock(
  dataDir: string,
  command: string,
): Promise<HeldLock | { heldBy: LockInfo | null }> {
  ensureDataDir(dataDir);
  let info: LockInfo = {
    pid: process.pid,
    command,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
  };
  const opts = {
    ...lockOptions(dataDir, LOCK_DIR),
    stale: STALE_MS,
    update: UPDATE_MS,
    onCompromised: onCompromised(dataDir),
  };
  const unlock = await underTakeoverLock(dataDir, async () => {
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(target(dataDir, LOCK_DIR), opts); // removes a lock whose refresh stopped
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
      if (!holderIsDead(readInfo(dataDir))) return null;
      fs.rmSync(path.join(dataDir, LOCK_DIR), { recursive: true, force: true });
      release = await lockfile.lock(target(dataDir, LOCK_DIR), opts);
    }
    // mkdir followed the umask; chmod keeps the mtime proper-lockfile compares.
    fs.chmodSync(path.join(dataDir, LOCK_DIR), 0o700);
    // Written before the takeover lock is let go, so the file always matches the lock.
    writeInfo(dataDir, info);
    return release;
  });
  if (!unlock) return { heldBy: readInfo(dataDir) };
  let released = false;
  return {
    file: path.join(dataDir, LOCK_DIR),
    update(extra) {
      info = { ...info, ...extra };
      writeInfo(dataDir, info);
    },
    async release() {
      if (released) return;
      released = true;
      // The lock first, then the holder file: a reader never sees a held lock without it.
      await unlock().catch(() => {});
      const cur = readInfo(dataDir);
      if (cur?.pid === process.pid) fs.rmSync(path.join(dataDir, LOCK_INFO_FILE), { force: true });
    },
  };
}
