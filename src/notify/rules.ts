/**
 * Alert rules as the seed writes them (`metric_type`, `condition`, `threshold_type`,
 * `threshold_percent`, `severity`, `channels`): which configured rules an anomaly meets,
 * and so which channels hear about it.
 */
import type { AlertRule } from '../config.js';

/** What a rule looks at in an anomaly. */
export interface AlertSubject {
  metricType: string;
  /** 'spike' (over the usual load), 'night_baseload' (a raised night level) or 'level_shift'. */
  kind: string;
  /** kWh per interval. */
  value: number;
  baseline: number;
  variancePercent: number;
  severity: string;
}

const SEVERITY_RANK: Record<string, number> = { minor: 1, major: 2, critical: 3 };

/** The anomaly kind each condition stands for. */
const CONDITION_KIND: Record<AlertRule['condition'], string> = {
  above_baseline: 'spike',
  night_baseload: 'night_baseload',
  level_shift: 'level_shift',
};

/**
 * The anomaly's level as a share of its baseline, in percent (the seed's "value >
 * threshold% of the average"). Taken from value and baseline when both are known, so a
 * rounded variance cannot move an anomaly across a rule's threshold.
 */
export function levelPercent(
  a: Pick<AlertSubject, 'value' | 'baseline' | 'variancePercent'>,
): number {
  if (a.baseline > 0 && Number.isFinite(a.value)) return (a.value / a.baseline) * 100;
  if (a.baseline <= 0 && a.value > 0) return Number.POSITIVE_INFINITY;
  return 100 + a.variancePercent;
}

/** True when the anomaly meets the rule: same metric and kind, at or past both thresholds. */
export function ruleMatches(rule: AlertRule, a: AlertSubject): boolean {
  if (rule.metric_type !== a.metricType) return false;
  if (CONDITION_KIND[rule.condition] !== a.kind) return false;
  if (levelPercent(a) < rule.threshold_percent) return false;
  const have = SEVERITY_RANK[a.severity] ?? 0;
  const need = SEVERITY_RANK[rule.severity] ?? Number.POSITIVE_INFINITY;
  return have >= need;
}

export function matchingRules(rules: readonly AlertRule[], a: AlertSubject): AlertRule[] {
  return rules.filter((r) => ruleMatches(r, a));
}

/**
 * The channels to notify for an anomaly: the union of the channels of every matching
 * rule, each once, in the order the rules name them.
 */
export function channelsFor(rules: readonly AlertRule[], a: AlertSubject): string[] {
  const out: string[] = [];
  for (const rule of matchingRules(rules, a)) {
    for (const c of rule.channels) if (!out.includes(c)) out.push(c);
  }
  return out;
}
