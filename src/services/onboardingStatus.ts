/**
 * Per meter, what its onboarding has fetched and what is left, with the time the
 * application's quota needs to complete it (meters take turns, see onboardingPlan).
 */
import { onboardingState, type OnboardingStage } from '../db/onboarding.js';
import type { Queryable } from '../db/types.js';
import { estimateCompletion, sustainedRate } from '../sync/onboardingPlan.js';

export interface MeterOnboarding {
  /** Each stage: done, calls made, calls left. */
  stages: { stage: OnboardingStage; done: boolean; calls: number; calls_left: number }[];
  /** Seconds until every stage is done at the quota's pace; 0 when done. */
  eta_seconds: number;
  last_error: string | null;
}

export async function onboardingByDevice(
  q: Queryable,
  rate: { perSecond?: number; perHour?: number },
): Promise<Map<string, MeterOnboarding>> {
  const rows = await onboardingState(q);
  const open = rows
    .filter((r) => !r.done)
    .map((r) => ({ deviceId: r.device_id, stage: r.stage, callsLeft: r.calls_left }));
  const eta = estimateCompletion(open, sustainedRate(rate.perSecond, rate.perHour));
  const out = new Map<string, MeterOnboarding>();
  for (const r of rows) {
    const m = out.get(r.device_id) ?? { stages: [], eta_seconds: 0, last_error: null };
    m.stages.push({ stage: r.stage, done: r.done, calls: r.calls, calls_left: r.calls_left });
    if (!r.done && r.last_error) m.last_error = r.last_error;
    m.eta_seconds = Math.round(eta.get(r.device_id) ?? 0);
    out.set(r.device_id, m);
  }
  return out;
}
