/**
 * Which tariff band a reading falls in, from the local time its interval starts at.
 * Local times come from the building's time zone (LocalClock), so a DST day's 46 or 50
 * half-hours each get their real wall-clock time (the repeated October hour is off-peak
 * twice under a 22:00–06:00 window).
 */
import { InputError } from '../domain/errors.js';
import type { LocalTime } from './localClock.js';
import type { PlanKind, PlanVersion, TimeWindow } from './schema.js';
import { tempoDayOf, type TempoCalendar } from './tempoCalendar.js';

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
