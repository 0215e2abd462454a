/**
 * Buildings and readings for the cost tests, every expected amount worked out by hand in
 * the tests from these figures:
 * - "Les Tilleuls" (Paris): 0.5 kWh every half-hour (1 kW) through January and February
 *   2026, on an HP/HC contract (off-peak 22:00–06:00, HP 0.20 €, HC 0.15 €, 12.00 € a
 *   month, VAT 20 %), 2400 m², 30 units.
 * - "Résidence Bruxelles P1" (Brussels): 0.25 kWh every quarter-hour (1 kW) through August
 *   and September 2026, one 1 kWh quarter-hour (4 kW) on 10 September at 18:00, on a
 *   bi-horaire contract with capacity (day 0.10 €, night 0.08 €, 60 €/kW/year, minimum
 *   2.5 kW, VAT 6 %); no surface given.
 * - "Maison Molière" (Brussels): one reading a day, 100 kWh from October 2024 to September
 *   2025, then 120 kWh to September 2026; 1000 m², 10 units, no tariff.
 */
import { DateTime } from 'luxon';
import { parseTariffPlans } from '../../../src/tariffs/index.js';
import type { Reading } from '../../../src/domain/readings.js';

export const TARIFFS = parseTariffPlans({
  plans: {
    hphc: {
      country: 'FR',
      kind: 'hp-hc',
      versions: [
        {
          validFrom: '2026-01-01',
          offPeak: [{ from: '22:00', to: '06:00' }],
          energy: { hp: '0.20', hc: '0.15' },
          subscription: { kva: 9, perMonthByKva: { '9': '12.00' } },
          vatPercent: '20',
        },
      ],
    },
    'be-capacity': {
      country: 'BE',
      kind: 'be-bi-horaire',
      versions: [
        {
          validFrom: '2026-01-01',
          night: { from: '22:00', to: '07:00', weekendIsNight: true },
          energy: { day: '0.10', night: '0.08' },
          capacity: { perKwYear: '60.00', minimumKw: '2.5', mode: 'monthly-peak' },
          vatPercent: '6',
        },
      ],
    },
  },
  buildings: {
    'Les Tilleuls': [{ validFrom: '2026-01-01', plan: 'hphc' }],
    'Résidence Bruxelles P1': [{ validFrom: '2026-01-01', plan: 'be-capacity' }],
  },
});

export const CONFIG = {
  tariffs: TARIFFS,
  configFile: null,
  buildings: {
    'les tilleuls': { surfaceM2: 2400, units: 30 },
    'Maison Molière': { surfaceM2: 1000, units: 10 },
  },
  defaults: { building: null, timeZone: 'Europe/Brussels' },
};

export function series(
  buildingId: string,
  zone: string,
  fromDay: string,
  toDay: string,
  seconds: number,
  kwh: (t: DateTime) => number,
): Reading[] {
  const out: Reading[] = [];
  let t = DateTime.fromISO(fromDay, { zone });
  const end = DateTime.fromISO(toDay, { zone });
  while (t < end) {
    out.push({
      buildingId,
      deviceRef: 'M1',
      deviceType: 'electricity_meter',
      metricType: 'electricity_consumption',
      timestamp: t.toJSDate(),
      intervalSeconds: seconds,
      value: kwh(t),
      unit: 'kWh',
      source: 'test',
    });
    t = seconds === 86_400 ? t.plus({ days: 1 }) : t.plus({ seconds });
  }
  return out;
}
