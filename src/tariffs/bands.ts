/**
 * Which tariff band a reading falls in, from the local time its interval starts at.
 * Local times come from the building's time zone through luxon, so a DST day's 46 or 50
 * half-hours each get their real wall-clock time (the repeated October hour is off-peak
 * twice under a 22:00–06:00 window).
 */
import { DateTime } from 'luxon';
import { InputError } from '../domain/errors.js';
import type { PlanKind, PlanVersion, TimeWindow } from './schema.js';
import { tempoDayOf, type TempoCalendar } from './tempoCalendar.js';

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

export function localTimeOf(ms: number, zone: string): LocalTime {
  const t = DateTime.fromMillis(ms, { zone });
  return {
    date: t.toISODate() as string,
    previousDate: t.minus({ days: 1 }).toISODate() as string,
    minute: t.hour * 60 + t.minute,
    weekday: t.weekday,
    month: (t.toISODate() as string).slice(0, 7),
    hour: t.hour,
  };
}

function minuteOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** True when a wall-clock minute is inside a window; a window may cross midnight. */
export function inWindow(minute: number, w: TimeWindow): boolean {
  const from = minuteOf(w.from);
  const to = minuteOf(w.to);
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/** Tempo's fixed off-peak hours, unless the version sets others. */
const TEMPO_OFF_PEAK: TimeWindow[] = [{ from: '22:00', to: '06:00' }];

export function bandOf(
  kind: PlanKind,
  version: PlanVersion,
  t: LocalTime,
  calendar: TempoCalendar | null,
): string {
  switch (kind) {
    case 'base':
      return 'base';
    case 'be-single':
      return 'single';
    case 'hp-hc':
      return (version.offPeak ?? []).some((w) => inWindow(t.minute, w)) ? 'hc' : 'hp';
    case 'tempo': {
      const day = tempoDayOf(t.date, t.minute, t.previousDate);
      const colour = calendar?.get(day);
      if (!colour)
        throw new InputError(`the Tempo calendar has no colour for ${day}`, {
          hint: 'import a calendar file covering the whole period (tariffs plan "tempoCalendar")',
        });
      const offPeak = (version.offPeak ?? TEMPO_OFF_PEAK).some((w) => inWindow(t.minute, w));
      return `${colour}-${offPeak ? 'hc' : 'hp'}`;
    }
    case 'be-bi-horaire': {
      const night = version.night ?? { from: '22:00', to: '07:00', weekendIsNight: true };
      if (night.weekendIsNight && t.weekday >= 6) return 'night';
      return inWindow(t.minute, night) ? 'night' : 'day';
    }
  }
}
