/**
 * Logs on stderr. On a terminal: `21:03:05 INFO  synced device readings=1440`. With
 * json: one object per line, `{"time","level","msg",...fields}`, for journald and log
 * shippers. Every message and field goes through redaction first, so no token, code or
 * secret can reach a log whatever a caller passes in.
 */
import { createColors, type Colors } from './color.js';
import { redactText, redactValue } from './redact.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface LogStream {
  write(chunk: string): unknown;
}

export interface LoggerOptions {
  stream: LogStream;
  json: boolean;
  level: LogLevel;
  color: boolean;
  /** Fields added to every line. */
  fields?: LogFields;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

export interface Logger {
  readonly level: LogLevel;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  isEnabled(level: LogLevel): boolean;
  /** A logger that adds `fields` to every line (a device, a run id). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const RESERVED = new Set(['time', 'level', 'msg']);

export function parseLogLevel(value: string): LogLevel | undefined {
  const level = value.trim().toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : undefined;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = options.fields ?? {};
  const now = options.now ?? (() => new Date());
  const paint = createColors(options.color && !options.json);

  const log = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (RANK[level] < RANK[options.level]) return;
    const safe = redactValue({ ...base, ...fields }) as LogFields;
    const line = options.json
      ? jsonLine(now(), level, redactText(msg), safe)
      : textLine(now(), level, redactText(msg), safe, paint);
    options.stream.write(line + '\n');
  };

  return {
    level: options.level,
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    isEnabled: (level) => RANK[level] >= RANK[options.level],
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

function jsonLine(time: Date, level: LogLevel, msg: string, fields: LogFields): string {
  const record: LogFields = { time: time.toISOString(), level, msg };
  for (const [key, value] of Object.entries(fields)) {
    // A field may not overwrite the line's own time, level or message.
    record[RESERVED.has(key) ? `field_${key}` : key] = value;
  }
  return JSON.stringify(record, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

const LEVEL_PAINT: Record<LogLevel, keyof Omit<Colors, 'enabled'>> = {
  debug: 'dim',
  info: 'green',
  warn: 'yellow',
  error: 'red',
};

function textLine(
  time: Date,
  level: LogLevel,
  msg: string,
  fields: LogFields,
  paint: Colors,
): string {
  const clock = [time.getHours(), time.getMinutes(), time.getSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  const tag = paint[LEVEL_PAINT[level]](level.toUpperCase().padEnd(5));
  const parts = [paint.dim(clock), tag, msg];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${paint.dim(key + '=')}${fieldText(value)}`);
  }
  return parts.join(' ');
}

/** logfmt-style value: bare when it has no space, quote or '=', quoted otherwise. */
function fieldText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value instanceof Date) text = value.toISOString();
  else if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    // Errors arrive as { name, message, ... } after redaction: the message says it all.
    if (typeof v['message'] === 'string' && typeof v['name'] === 'string') text = v['message'];
    else return JSON.stringify(value) ?? '';
  } else text = String(value);
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}
