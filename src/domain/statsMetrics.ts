/** Which metrics statistics, anomalies and reports work on. */
import { UsageError } from './errors.js';
import type { MetricType } from './readings.js';

/** Metrics that add up over time: a total per period means something for them only. */
export const STATS_METRICS = [
  'electricity_consumption',
  'electricity_production',
  'gas_consumption',
  'water_consumption',
] as const satisfies readonly MetricType[];

export type StatsMetric = (typeof STATS_METRICS)[number];

export const DEFAULT_STATS_METRIC: StatsMetric = 'electricity_consumption';

/** A --metric value; the default is the electricity consumption. */
export function parseStatsMetric(value: string | undefined): StatsMetric {
  const metric = value ?? DEFAULT_STATS_METRIC;
  if (!(STATS_METRICS as readonly string[]).includes(metric)) {
    throw new UsageError(`--metric must be one of ${STATS_METRICS.join(', ')}, got "${metric}"`, {
      hint: 'statistics add readings up per period, which only energy and volume metrics allow',
    });
  }
  return metric as StatsMetric;
}
