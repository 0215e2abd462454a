/**
 * When the daemon's next daily cycle starts: the configured local time (default 02:00
 * Europe/Brussels) on the next day it has not passed yet, correct across DST (luxon moves
 * a time that does not exist on the spring-forward day to the first instant after the gap).
 */
import { DateTime } from 'luxon';

export function nextDailyRun(after: Date, time: string, zone: string): Date {
  const [h, m] = time.split(':').map(Number) as [number, number];
  const base = DateTime.fromJSDate(after, { zone });
  let candidate = base.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (candidate.toMillis() <= after.getTime()) {
    candidate = base.plus({ days: 1 }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  }
  return candidate.toJSDate();
}

/** A deterministic-per-call random offset in [0, jitterSeconds) seconds. */
export function withJitter(
  at: Date,
  jitterSeconds: number,
  random: () => number = Math.random,
): Date {
  return new Date(at.getTime() + Math.floor(random() * jitterSeconds * 1000));
}

/**
 * The cycle slot of an interval schedule: slots start on the wall clock's multiples of
 * `everyMinutes`, so every daemon sharing a database cycles at the same instants and a
 * meter synced in a slot is not due again before the next one.
 */
export function intervalSlot(at: Date, everyMinutes: number): { start: Date; next: Date } {
  const ms = everyMinutes * 60_000;
  const start = Math.floor(at.getTime() / ms) * ms;
  return { start: new Date(start), next: new Date(start + ms) };
}
