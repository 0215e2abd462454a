/**
 * Timestamps of CSV files: ISO 8601 with an offset, or a local wall-clock time (ISO order or
 * day first, as Excel writes it in France and Belgium) read in a time zone. A repeated
 * October hour without offsets is told apart by order: per series, the first time a label of
 * that hour is seen it is the first occurrence (+02:00), when it comes again, the second.
 */
import type { IANAZone } from 'luxon';
import { resolveLocal, wallClockMs } from '../providers/localTime.js';

const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

const ISO_OFFSET =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * A time with an explicit offset, to UTC ms; null when invalid or the offset is not a real
 * one (real offsets lie within ±14:00 with minutes below 60: +25:00 or +99:99 are errors).
 * Read by hand rather than through a date library: it runs once per row of large files.
 */
export function parseOffsetTime(text: string): number | null {
  const m = ISO_OFFSET.exec(text.trim());
  if (!m) return null;
  const [, day, h, mi, sec = '00', frac = '', zone, sign, oh = '0', om = '0'] = m;
  if (Number(oh) > 14 || Number(om) > 59) return null;
  const wall = wallClockMs(`${day} ${h}:${mi}:${sec}`);
  if (wall === null) return null;
  const offsetMin =
    zone?.toUpperCase() === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return wall + Number(frac.padEnd(3, '0')) - offsetMin * 60_000;
}

/** A local wall-clock time ("2026-01-10 00:30", "10/01/2026 00:30[:00]") as if UTC, or null. */
export function parseWallClock(text: string): number | null {
  const t = text.trim();
  const iso = ISO_LOCAL.exec(t);
  const dayFirst = iso ? null : DAY_FIRST.exec(t);
  const m = iso ?? dayFirst;
  if (!m) return null;
  const [y, mo, d] = iso ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]];
  const [h = '00', mi = '00', s = '00'] = [m[4], m[5], m[6]];
  return wallClockMs(
    `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')} ${h.padStart(2, '0')}:${mi}:${s}`,
  );
}

export function hasOffset(text: string): boolean {
  return WITH_OFFSET.test(text.trim());
}

/** Resolves local times of several series (by key), each in chronological order. */
export class LocalClock {
  private readonly last = new Map<string, number>();
  constructor(private readonly zone: IANAZone) {}

  /** UTC ms of a wall-clock time (ms as if UTC) in series `key`. */
  resolve(key: string, wallMs: number): number {
    const t = resolveLocal(wallMs, this.zone, this.last.get(key) ?? null);
    this.last.set(key, t);
    return t;
  }
}
