/**
 * What every command gets: the validated configuration, its streams, a logger and whether
 * to colour. Built once from the global flags (commander's optsWithGlobals).
 */
import type { Command } from 'commander';
import { loadConfig, type Config, type GlobalFlags } from '../config.js';
import { openDatabase, type OpenedDatabase } from '../db/open.js';
import { UsageError } from '../domain/errors.js';
import { colorEnabled } from '../ui/color.js';
import { createLogger, type Logger } from '../ui/logger.js';
import { parseOutputFormat, type OutputFormat } from '../ui/output.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export interface Context {
  config: Config;
  flags: GlobalFlags;
  out: Streams;
  log: Logger;
  /** Colours on stdout. */
  color: boolean;
  /** Terminal width for tables and charts. */
  columns: number;
  /** Progress and chatter on stderr allowed (a TTY, not --json, not --quiet). */
  interactive: boolean;
  env: Record<string, string | undefined>;
}

let streamsOverride: Streams | null = null;
/** Tests running the program in-process capture output through this. */
export function setStreams(s: Streams | null): void {
  streamsOverride = s;
}

export function contextFrom(cmd: Command): Context {
  const flags = cmd.optsWithGlobals() as GlobalFlags;
  const env = process.env;
  const out: Streams = streamsOverride ?? { stdout: process.stdout, stderr: process.stderr };
  const config = loadConfig({ flags, env });
  const stderrTTY = !!out.stderr.isTTY;
  const log = createLogger({
    stream: out.stderr,
    json: !stderrTTY,
    level: flags.verbose ? 'debug' : flags.quiet ? 'warn' : 'info',
    color: colorEnabled({ isTTY: stderrTTY, env }),
  });
  return {
    config,
    flags,
    out,
    log,
    color: colorEnabled({ isTTY: !!out.stdout.isTTY, env }),
    // Not a terminal (a pipe, a log): wide enough that tables are rarely cut.
    columns: out.stdout.columns ?? (Number(env.COLUMNS) || 120),
    interactive: stderrTTY && !flags.json && !flags.quiet,
    env,
  };
}

/** --format, with --json as a shorthand for --format json. */
export function outputFormat(ctx: Context, format: string | undefined): OutputFormat {
  if (ctx.flags.json) return 'json';
  return format ? parseOutputFormat(format) : 'table';
}

/** Opens the database for the duration of fn, closing it in every case. */
export async function withDatabase<T>(
  ctx: Context,
  command: string,
  fn: (db: OpenedDatabase) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(ctx.config, { command });
  try {
    for (const n of db.notices) ctx.log.warn(n);
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function parseIntOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
    return n;
  };
}

export function parseNumberOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new UsageError(`${name} must be a number from ${min} to ${max}, got "${value}"`);
    return n;
  };
}
