/**
 * --from / --to on the command line: YYYY-MM-DD is a local day in the building's time zone
 * (--to includes that whole day); anything else must be an ISO-8601 instant with an offset.
 * A bad date is an error, never a silent default: an empty value, an offset no time zone
 * has (beyond ±14:00, or minutes of 60 and more), a year outside 1970–2100 (meter data
 * exists in no other years, and PostgreSQL's range would otherwise surface as an
 * unexpected error), or --from not before --to.
 */
import {
  addDays,
  isLocalDay,
  localDayOf,
  localDayStart,
  parseDateArg,
} from '../analytics/periods.js';
import { UsageError } from '../domain/errors.js';

export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2100;
const FORMAT_HINT = 'use YYYY-MM-DD (a local day) or an ISO-8601 instant with an offset';

/** Checks what parseDateArg lets through: emptiness, the offset, the year. */
function checkText(value: string, flag: string): string {
  const text = value.trim();
  if (text === '') throw new UsageError(`${flag} is empty: ${FORMAT_HINT}`);
  const offset = /T.*([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (offset) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3]);
    if (minutes >= 60 || hours > 14 || (hours === 14 && minutes > 0))
      throw new UsageError(
        `${flag}: the offset ${offset[1]}${offset[2]}:${offset[3]} does not exist (offsets go from -14:00 to +14:00)`,
      );
  }
  return text;
}

function checkYear(d: Date, flag: string, text: string): Date {
  const year = d.getUTCFullYear();
  if (Number.isNaN(year) || year < FIRST_YEAR || year > LAST_YEAR)
    throw new UsageError(`${flag}: ${text} is outside ${FIRST_YEAR}–${LAST_YEAR}`);
  return d;
}

export function parseFrom(value: string, zone: string, flag = '--from'): Date {
  const text = checkText(value, flag);
  const d = parseDateArg(text, zone);
  if (typeof d === 'string') throw new UsageError(`${flag}: ${d}`);
  return checkYear(d, flag, text);
}

export function parseTo(value: string, zone: string, flag = '--to'): Date {
  const text = checkText(value, flag);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isLocalDay(text)) {
    checkYear(localDayStart(text, zone), flag, text);
    return localDayStart(addDays(text, 1), zone);
  }
  return parseFrom(text, zone, flag);
}

/**
 * Validates --from / --to given to a command that resolves them itself (sync, stats):
 * each as above, and --from before --to when both are given.
 */
export function checkRange(from: string | undefined, to: string | undefined, zone: string): void {
  const f = from !== undefined ? parseFrom(from, zone) : null;
  const t = to !== undefined ? parseTo(to, zone) : null;
  if (f && t && f.getTime() >= t.getTime())
    throw new UsageError(`--from (${from}) must be before --to (${to})`);
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
  const to = opts.to !== undefined ? parseTo(opts.to, zone) : now;
  const from =
    opts.from !== undefined
      ? parseFrom(opts.from, zone)
      : localDayStart(addDays(localDayOf(to, zone), -defaultDays), zone);
  if (from.getTime() >= to.getTime())
    throw new UsageError(
      `--from (${from.toISOString()}) must be before --to (${to.toISOString()})`,
    );
  return { from, to };
}
