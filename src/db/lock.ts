/**
 * A lock file that keeps two processes from opening one embedded data directory.
 * It records who holds it, and the socket where that process serves the database (the
 * daemon), so other commands can reach the data through it instead of failing.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LockInfo {
  pid: number;
  command: string;
  startedAt: string;
  /** Directory of the PostgreSQL-protocol unix socket served by the holder, if any. */
  socketDir?: string;
  socketPort?: number;
}

export interface HeldLock {
  file: string;
  update(info: Partial<LockInfo>): void;
  release(): void;
}

export const LOCK_FILE = 'koprogo-iot.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockInfo;
    return typeof info.pid === 'number' && alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

/** Takes the lock, or returns the live holder. A lock left by a dead process is taken over. */
export function acquireLock(dataDir: string, command: string): HeldLock | { heldBy: LockInfo } {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  let info: LockInfo = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
          if (cur.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return {
        file,
        update(extra) {
          info = { ...info, ...extra };
          fs.writeFileSync(file, JSON.stringify(info));
        },
        release,
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(dataDir);
      if (holder && holder.pid !== process.pid) return { heldBy: holder };
      // Stale (dead holder) or unreadable: remove and try again.
      try {
        fs.unlinkSync(file);
      } catch {
        /* raced with another process */
      }
    }
  }
  const holder = readLock(dataDir);
  if (holder) return { heldBy: holder };
  throw new Error(`cannot take the lock ${file}`);
}
