/**
 * What every command gets: the validated configuration, its streams, a logger, the clock
 * and whether to colour. Built once from the global flags (commander's optsWithGlobals).
 * Also the option helpers every command shares.
 */
import { Option, type Command } from 'commander';
import { loadConfig, type Config, type GlobalFlags } from '../config.js';
import { UsageError } from '../domain/errors.js';
import { withDatabase as withOpenDatabase, type OpenedDatabase } from '../services/database.js';
import type { ServiceDeps } from '../services/deps.js';
import { colorEnabled } from '../ui/color.js';
import { createLogger, type Logger } from '../ui/logger.js';
import type { OutputFormat } from '../ui/output.js';

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
  /** The clock every use case reads "now" from. */
  now: () => Date;
}

/** Logs on stderr: text on a terminal, one JSON object a line otherwise (journald). */
function stderrLogger(
  flags: GlobalFlags,
  stderr: Streams['stderr'],
  env: Record<string, string | undefined>,
  write: (line: string) => void = (line) => stderr.write(line),
): Logger {
  return createLogger({
    stream: { write },
    json: !stderr.isTTY,
    level: flags.verbose ? 'debug' : flags.quiet ? 'warn' : 'info',
    color: colorEnabled({ isTTY: !!stderr.isTTY, env }),
  });
}

/** The command's logger, its lines handed to `write` (a progress bar prints them above it). */
export function loggerWritingTo(ctx: Context, write: (line: string) => void): Logger {
  return stderrLogger(ctx.flags, ctx.out.stderr, ctx.env, write);
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
  const log = stderrLogger(flags, out.stderr, env);
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
    now: () => new Date(),
  };
}

/**
 * `--format`, limited to what the command can print: a format it lacks fails while the
 * command line is parsed (exit 2), before any database opens.
 */
export function formatOption(formats: readonly OutputFormat[]): Option {
  return new Option('--format <format>', 'output format').choices(formats).default('table');
}

/** --format, with --json as a shorthand for --format json. */
export function outputFormat(ctx: Context, format: OutputFormat | undefined): OutputFormat {
  if (ctx.flags.json) return 'json';
  return format ?? 'table';
}

/** Opens the database for the duration of fn, closing it in every case. */
export async function withDatabase<T>(
  ctx: Context,
  command: string,
  fn: (db: OpenedDatabase) => Promise<T>,
  opts: { serve?: boolean } = {},
): Promise<T> {
  return withOpenDatabase(
    ctx.config,
    { command, onNotice: (n) => ctx.log.warn(n), ...(opts.serve ? { serveWith: ctx.log } : {}) },
    fn,
  );
}

/** The same, handing fn what a use case takes: database, configuration, clock, logger. */
export async function withServices<T>(
  ctx: Context,
  command: string,
  fn: (deps: ServiceDeps & { db: OpenedDatabase }) => Promise<T>,
  opts: { serve?: boolean } = {},
): Promise<T> {
  return withDatabase(
    ctx,
    command,
    (db) => fn({ db, config: ctx.config, now: ctx.now, log: ctx.log }),
    opts,
  );
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
