/**
 * Days the load curve does not cover, filled from the meter's daily totals (Enedis
 * consommation_quotidienne / production_quotidienne, 36 months against the curve's 24):
 * a day takes the daily total when the curve has nothing, or covers less of it.
 */
import type { DailyAggregate } from '../analytics/stats.js';
import type { StatsMetric } from '../domain/statsMetrics.js';

/** The daily-totals metric kept beside a curve metric, when there is one. */
export function dailyTotalsMetric(metric: StatsMetric): string | null {
  if (metric === 'electricity_consumption') return 'electricity_consumption_daily';
  if (metric === 'electricity_production') return 'electricity_production_daily';
  return null;
}

export interface FilledDays {
  days: DailyAggregate[];
  /** The days whose figure is a daily total, not the curve's sum. */
  fromDailyTotals: string[];
}

export function fillFromDailyTotals(curve: DailyAggregate[], totals: DailyAggregate[]): FilledDays {
  const byDay = new Map(curve.map((d) => [d.day, d]));
  const fromDailyTotals: string[] = [];
  for (const t of totals) {
    const c = byDay.get(t.day);
    const covered = (d: DailyAggregate) => d.coveredSeconds ?? d.count * d.intervalSeconds;
    if (c && covered(c) >= covered(t)) continue;
    // One value for the whole day: its smallest and largest "interval" are the day itself.
    byDay.set(t.day, { ...t, min: t.total, max: t.total });
    fromDailyTotals.push(t.day);
  }
  const days = [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return { days, fromDailyTotals: fromDailyTotals.sort() };
}
