/** Readings and plans for the pricing tests, built from local days. */
import { DateTime } from 'luxon';
import { tariffPlansSchema, type TariffPlansInput } from '../../../src/tariffs/schema.js';
import type { PricingReading } from '../../../src/tariffs/price.js';

export const PARIS = 'Europe/Paris';
export const BRUSSELS = 'Europe/Brussels';

export function localStart(day: string, zone: string): Date {
  return DateTime.fromISO(day, { zone }).toJSDate();
}

/**
 * Readings of `seconds` each from local midnight of `fromDay` to local midnight of `toDay`,
 * stepping in real (UTC) time, so a DST day gets its 46 or 50 half-hours.
 */
export function series(
  fromDay: string,
  toDay: string,
  zone: string,
  seconds: number,
  kwh: (start: DateTime) => number,
  metric: PricingReading['metric'] = 'consumption',
): PricingReading[] {
  const end = DateTime.fromISO(toDay, { zone }).toMillis();
  const out: PricingReading[] = [];
  for (let ms = DateTime.fromISO(fromDay, { zone }).toMillis(); ms < end; ms += seconds * 1000)
    out.push({
      start: new Date(ms),
      seconds,
      kwh: kwh(DateTime.fromMillis(ms, { zone })),
      metric,
    });
  return out;
}

export function plans(input: TariffPlansInput) {
  return tariffPlansSchema.parse(input).plans;
}

/** Amounts of a bill's lines by label, in cents. */
export function cents(lines: { label: string; amountCents: number }[]): Record<string, number> {
  return Object.fromEntries(lines.map((l) => [l.label, l.amountCents]));
}
