/**
 * Wall-clock time of instants in a time zone, fast enough for a year of quarter-hours.
 * The zone's UTC offset comes from luxon (the real IANA rules) once per UTC hour: offsets
 * change only on hour boundaries in the zones this tool serves, and the local fields are
 * then plain arithmetic on the shifted instant.
 */
import { IANAZone } from 'luxon';

const HOUR_MS = 3_600_000;

export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  /** The calendar day before `date`, YYYY-MM-DD. */
  previousDate: string;
  /** Minutes since local midnight on the wall clock (00:00 → 0, 23:30 → 1410). */
  minute: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
  /** YYYY-MM */
  month: string;
  /** Local hour 0–23. */
  hour: number;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function isoDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export class LocalClock {
  private readonly zone: IANAZone;
  private readonly offsets = new Map<number, number>();

  constructor(zone: string) {
    this.zone = IANAZone.create(zone);
  }

  /** Offset from UTC in minutes at an instant. */
  offsetMinutes(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    let o = this.offsets.get(hour);
    if (o === undefined) this.offsets.set(hour, (o = this.zone.offset(hour * HOUR_MS)));
    return o;
  }

  local(ms: number): LocalTime {
    const shifted = new Date(ms + this.offsetMinutes(ms) * 60_000);
    const date = isoDate(shifted);
    const hour = shifted.getUTCHours();
    return {
      date,
      previousDate: isoDate(new Date(shifted.getTime() - 86_400_000)),
      minute: hour * 60 + shifted.getUTCMinutes(),
      weekday: ((shifted.getUTCDay() + 6) % 7) + 1,
      month: date.slice(0, 7),
      hour,
    };
  }

  /** YYYY-MM of an instant. */
  month(ms: number): string {
    const shifted = new Date(ms + this.offsetMinutes(ms) * 60_000);
    return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}`;
  }
}
