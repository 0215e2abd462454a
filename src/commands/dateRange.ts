/**
 * --from / --to on the command line: YYYY-MM-DD is a local day in the building's time zone
 * (--to includes that whole day); anything else must be an ISO-8601 instant with an offset.
 * A bad date is an error, never a silent default.
 */
import {
  addDays,
  isLocalDay,
  localDayOf,
  localDayStart,
  parseDateArg,
} from '../analytics/periods.js';
import { UsageError } from '../domain/errors.js';

export function parseFrom(value: string, zone: string, flag = '--from'): Date {
  const d = parseDateArg(value, zone);
  if (typeof d === 'string') throw new UsageError(`${flag}: ${d}`);
  return d;
}

export function parseTo(value: string, zone: string, flag = '--to'): Date {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isLocalDay(text))
    return localDayStart(addDays(text, 1), zone);
  return parseFrom(text, zone, flag);
}

export interface Range {
  from: Date;
  to: Date;
}

/** Resolves --from/--to with defaults (the last `defaultDays` local days up to now). */
export function resolveRange(
  opts: { from?: string; to?: string },
  zone: string,
  now: Date,
  defaultDays: number,
): Range {
  const to = opts.to ? parseTo(opts.to, zone) : now;
  const from = opts.from
    ? parseFrom(opts.from, zone)
    : localDayStart(addDays(localDayOf(to, zone), -defaultDays), zone);
  if (from.getTime() >= to.getTime())
    throw new UsageError(
      `--from (${from.toISOString()}) must be before --to (${to.toISOString()})`,
    );
  return { from, to };
}
