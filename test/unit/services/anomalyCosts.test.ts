/**
 * What an over-consumption cost: the kWh above the baseline, each at the price of the band
 * it was taken in, with VAT, without fixed fees (hand-checked to the cent).
 */
import { describe, expect, it } from 'vitest';
import type { Anomaly, IntervalValue } from '../../../src/analytics/anomalies.js';
import { anomalyCost } from '../../../src/services/anomalyCosts.js';
import type { BuildingPricing } from '../../../src/services/costs.js';
import { TARIFFS } from '../../integration/costs/fixtures.js';

const ZONE = 'Europe/Paris';
const pricing: BuildingPricing = {
  loaded: { tariffs: TARIFFS, baseDir: '.' },
  schedule: TARIFFS.buildings['Les Tilleuls'] ?? [],
  calendars: {},
  planNames: ['hphc'],
};

/** Half-hours from a Paris wall-clock time (winter: UTC+1). */
function halfHours(startLocal: string, values: number[]): IntervalValue[] {
  const start = Date.parse(`${startLocal}+01:00`);
  return values.map((value, i) => ({
    timestamp: new Date(start + i * 1_800_000),
    intervalSeconds: 1800,
    value,
  }));
}

function anomaly(
  kind: Anomaly['kind'],
  readings: IntervalValue[],
  value: number,
  baseline: number,
): Anomaly {
  const start = (readings[0] as IntervalValue).timestamp;
  const last = readings[readings.length - 1] as IntervalValue;
  return {
    kind,
    key: `${kind}:${start.toISOString()}`,
    start,
    end: new Date(last.timestamp.getTime() + 1_800_000),
    timestamp: start,
    value,
    baseline,
    variancePercent: (value / baseline - 1) * 100,
    severity: 'critical',
    message: 'test',
  };
}

describe('anomalyCost', () => {
  it('prices a spike across 22:00 in its two bands', () => {
    // 21:00 and 21:30 are peak hours, 22:00 and 22:30 off-peak: 1 kWh above the baseline each.
    const rs = halfHours('2026-01-15T21:00:00', [1.5, 1.5, 1.5, 1.5]);
    const c = anomalyCost(anomaly('spike', rs, 1.5, 0.5), rs, 'M1', pricing, ZONE);
    // 2 × 0.20 + 2 × 0.15 = 0.70; VAT 20 % 0.14; 0.84. The subscription is not the spike's.
    expect(c).toEqual({ excess_kwh: 4, cost_eur: 0.84 });
  });

  it('counts only the intervals above the baseline', () => {
    const rs = halfHours('2026-01-15T18:00:00', [1.5, 0.3, 0.9]);
    // (1.0 + 0.4) kWh × 0.20 = 0.28; VAT 0.056 → 0.06; 0.34.
    expect(anomalyCost(anomaly('spike', rs, 1.5, 0.5), rs, 'M1', pricing, ZONE)).toEqual({
      excess_kwh: 1.4,
      cost_eur: 0.34,
    });
  });

  it('prices a raised night baseload as a constant extra load', () => {
    // 03:00–05:00: four off-peak half-hours, 0.3 kWh instead of 0.2: 0.4 kWh × 0.15 = 0.06,
    // VAT 0.012 → 0.01; 0.07.
    const rs = halfHours('2026-01-15T03:00:00', [0.31, 0.29, 0.3, 0.3]);
    expect(anomalyCost(anomaly('night_baseload', rs, 0.3, 0.2), rs, 'M1', pricing, ZONE)).toEqual({
      excess_kwh: 0.4,
      cost_eur: 0.07,
    });
  });

  it('gives the kWh and no cost without a tariff', () => {
    const rs = halfHours('2026-01-15T21:00:00', [1.5, 1.5]);
    expect(anomalyCost(anomaly('spike', rs, 1.5, 0.5), rs, 'M1', null, ZONE)).toEqual({
      excess_kwh: 2,
      cost_eur: null,
    });
  });
});
