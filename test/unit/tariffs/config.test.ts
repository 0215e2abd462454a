import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/domain/errors.js';
import { priceBill } from '../../../src/tariffs/price.js';
import {
  parseTariffPlans,
  scheduleFor,
  tariffPlansFromRawConfig,
} from '../../../src/tariffs/config.js';
import { decimal, roundToCents, toFixed } from '../../../src/tariffs/exact.js';
import { BRUSSELS, PARIS, localStart, series } from './build.js';

describe('the tariffs section', () => {
  it('reports every problem at once, each with its key', () => {
    const bad = () =>
      parseTariffPlans({
        plans: {
          x: {
            country: 'FR',
            kind: 'hp-hc',
            versions: [{ validFrom: '2026-13-01', energy: { hp: 0.1234567 }, vatPercent: 20 }],
          },
        },
        buildings: { Tilleuls: [{ validFrom: '2026-01-01', plan: 'nope' }] },
      });
    expect(bad).toThrow(ConfigError);
    const message = (() => {
      try {
        bad();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toContain('tariffs.plans.x.versions.0.validFrom: must be a date YYYY-MM-DD');
    expect(message).toContain('tariffs.plans.x.versions.0.energy.hp: must be a decimal number');
    expect(message).toContain('needs a price for "hc"');
    expect(message).toContain('tariffs.plans.x.versions.0.offPeak: an hp-hc plan needs it');
    expect(message).toContain('tariffs.buildings.Tilleuls.0.plan: names "nope"');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('refuses off-peak windows off half-hour boundaries', () => {
    expect(() =>
      parseTariffPlans({
        plans: {
          x: {
            country: 'FR',
            kind: 'hp-hc',
            versions: [
              {
                validFrom: '2026-01-01',
                offPeak: [{ from: '22:15', to: '06:00' }],
                energy: { hp: 0.2, hc: 0.1 },
                vatPercent: 20,
              },
            ],
          },
        },
      }),
    ).toThrow('offPeak.0.from: must be HH:00 or HH:30');
  });

  it('takes the section from a raw config document and prices the building contract', () => {
    const t = tariffPlansFromRawConfig({
      database: {},
      tariffs: {
        plans: {
          old: {
            country: 'FR',
            kind: 'base',
            versions: [{ validFrom: '2025-01-01', energy: { base: 0.2 }, vatPercent: 20 }],
          },
          new: {
            country: 'FR',
            kind: 'base',
            versions: [{ validFrom: '2025-01-01', energy: { base: 0.3 }, vatPercent: 20 }],
          },
        },
        buildings: {
          'les tilleuls': [
            { validFrom: '2025-01-01', plan: 'old' },
            { validFrom: '2026-02-02', plan: 'new' },
          ],
        },
      },
    });
    const schedule = scheduleFor(t, { id: 'b1', name: 'Les Tilleuls' }, null);
    // 1 and 2 February 2026, 24 kWh a day: 24 × 0.2 = 4.80, then 24 × 0.3 = 7.20.
    const bill = priceBill({
      plans: t.plans,
      schedule,
      zone: PARIS,
      from: localStart('2026-02-01', PARIS),
      to: localStart('2026-02-03', PARIS),
      readings: series('2026-02-01', '2026-02-03', PARIS, 1800, () => 0.5),
    });
    expect(bill.lines.map((l) => l.amount)).toEqual(['4.80', '7.20']);
    expect(() => scheduleFor(t, { id: 'b2', name: 'Other' }, null)).toThrow(
      'building "Other" has no tariff plan',
    );
    expect(() => scheduleFor(t, { id: 'b2', name: 'Other' }, 'edf')).toThrow(
      'no tariff plan "edf"',
    );
  });
});

describe('exact amounts', () => {
  it('rounds halves away from zero and never drifts', () => {
    expect(roundToCents(decimal('0.005'))).toBe(1);
    expect(roundToCents(decimal('-0.005'))).toBe(-1);
    expect(roundToCents(decimal('0.0049999'))).toBe(0);
    expect(toFixed(decimal(0.1), 20)).toBe('0.10000000000000000000');
  });
});

describe('carbon', () => {
  it('uses the default factor per country, or a configured one per hour', () => {
    // 24 kWh in Brussels under the default 167.49 g/kWh = 4019.76 g = 4.020 kg.
    const readings = series('2026-06-12', '2026-06-13', BRUSSELS, 900, () => 0.25);
    const t = parseTariffPlans({
      plans: {
        be: {
          country: 'BE',
          kind: 'be-single',
          versions: [{ validFrom: '2026-01-01', energy: { single: 0.3 }, vatPercent: 6 }],
        },
      },
    });
    const run = (carbon?: Parameters<typeof priceBill>[0]['carbon']) =>
      priceBill({
        plans: t.plans,
        schedule: scheduleFor(t, { id: 'x', name: 'x' }, 'be'),
        zone: BRUSSELS,
        from: localStart('2026-06-12', BRUSSELS),
        to: localStart('2026-06-13', BRUSSELS),
        readings,
        carbon,
      }).carbon;
    expect(run().kgCo2e).toBe('4.020');
    expect(run().factors[0]?.source).toContain('AIB');
    // Hourly: 100 g/kWh from 00:00 to 11:59, 300 g/kWh after: 12 kWh × 100 + 12 kWh × 300 = 4800 g.
    const hourly = Array.from({ length: 24 }, (_, h) => (h < 12 ? 100 : 300));
    expect(run({ BE: { hourly, source: 'test' } }).kgCo2e).toBe('4.800');
  });
});
