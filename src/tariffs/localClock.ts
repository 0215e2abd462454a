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

/** Offsets by zone and UTC hour, shared by every clock: the IANA lookup is the slow part. */
const OFFSETS = new Map<string, Map<number, number>>();

export class LocalClock {
  private readonly zone: IANAZone;
  private readonly offsets: Map<number, number>;
  /** The calendar fields of each local day met, by days since the epoch on the wall clock. */
  private readonly days = new Map<
    number,
    Pick<LocalTime, 'date' | 'previousDate' | 'weekday' | 'month'>
  >();

  constructor(zone: string) {
    this.zone = IANAZone.create(zone);
    let offsets = OFFSETS.get(zone);
    if (!offsets) OFFSETS.set(zone, (offsets = new Map()));
    this.offsets = offsets;
  }

  /** Offset from UTC in minutes at an instant. */
  offsetMinutes(ms: number): number {
    const hour = Math.floor(ms / HOUR_MS);
    let o = this.offsets.get(hour);
    if (o === undefined) this.offsets.set(hour, (o = this.zone.offset(hour * HOUR_MS)));
    return o;
  }

  local(ms: number): LocalTime {
    const wall = ms + this.offsetMinutes(ms) * 60_000;
    const dayIndex = Math.floor(wall / 86_400_000);
    let day = this.days.get(dayIndex);
    if (!day) {
      const midnight = new Date(dayIndex * 86_400_000);
      const date = isoDate(midnight);
      day = {
        date,
        previousDate: isoDate(new Date((dayIndex - 1) * 86_400_000)),
        weekday: ((midnight.getUTCDay() + 6) % 7) + 1,
        month: date.slice(0, 7),
      };
      this.days.set(dayIndex, day);
    }
    const minute = Math.floor((wall - dayIndex * 86_400_000) / 60_000);
    return { ...day, minute, hour: Math.floor(minute / 60) };
  }

  /** YYYY-MM of an instant. */
  month(ms: number): string {
    const shifted = new Date(ms + this.offsetMinutes(ms) * 60_000);
    return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}`;
  }
}
