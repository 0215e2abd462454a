/**
 * Shared pieces of the benchmarks: how figures are printed, progress on stderr, timing,
 * percentiles, temporary directories, and throwaway databases on the PostgreSQL server.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger, type Logger } from '../../src/ui/logger.js';

/** Where a bench writes its figures (stdout in `npm run bench`). */
export type Print = (line: string) => void;

/** The server used when neither BENCH_DATABASE_URL nor TEST_DATABASE_URL is set. */
export const DEFAULT_SERVER_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Progress lines go to stderr, so stdout holds the figures only. */
export function progress(msg: string): void {
  process.stderr.write(`  … ${msg}\n`);
}

/** The product's logger at level warn, on stderr: a bench only hears about trouble. */
export function benchLogger(): Logger {
  return createLogger({ stream: process.stderr, json: false, level: 'warn', color: false });
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** A figure line: label, value and unit, aligned. */
export function figure(print: Print, label: string, value: string, note = ''): void {
  print(`  ${label.padEnd(56)} ${value}${note ? `   (${note})` : ''}`);
}

export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fixed(n: number, digits = 1): string {
  return n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function mib(bytes: number): string {
  return `${fixed(bytes / 1024 / 1024, 0)} MiB`;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const liveDirs = new Set<string>();
let exitHooked = false;

/**
 * Ctrl-C or a kill must not leave temporary data behind: on a signal the process exits,
 * and on exit every temporary directory still there is removed (synchronously, as exit
 * handlers must be).
 */
export function onExitCleanup(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const d of liveDirs) fs.rmSync(d, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
}

/** A fresh temporary directory, removed by the returned function (or at exit). */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  onExitCleanup();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `koprogo-iot-bench-${prefix}-`));
  liveDirs.add(dir);
  return {
    dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      liveDirs.delete(dir);
    },
  };
}

/** Runs fn with a temporary directory, removed afterwards whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const t = tempDir(prefix);
  try {
    return await fn(t.dir);
  } finally {
    t.remove();
  }
}

export interface ServerTarget {
  /** Admin URL (a database where CREATE DATABASE may run), or null when no server answers. */
  url: string | null;
  /** Why there is no server, for the report. */
  reason?: string;
}

let serverTarget: Promise<ServerTarget> | undefined;

/** The PostgreSQL server of the benches: BENCH_DATABASE_URL, TEST_DATABASE_URL, else the local default if it answers. */
export function findServer(): Promise<ServerTarget> {
  serverTarget ??= (async () => {
    const url =
      process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_SERVER_URL;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return { url };
    } catch (e) {
      return {
        url: null,
        reason: `no PostgreSQL server answers at ${new URL(url).host}: ${(e as Error).message}`,
      };
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return serverTarget;
}

/** Creates a throwaway database on the server; `drop` removes it. */
export async function createServerDatabase(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kpbench_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Throws when a bench has run past its time budget, so nothing runs away. */
export function deadline(minutes: number, what: string): () => void {
  const end = Date.now() + minutes * 60_000;
  return () => {
    if (Date.now() > end)
      throw new Error(`${what} took longer than its ${minutes}-minute budget; stopped`);
  };
}
