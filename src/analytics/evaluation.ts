/**
 * Scores detected anomaly events against known ground truth (a simulator's injected
 * faults, or hand-labelled intervals), to compare the detection methods.
 *
 * An event matches a truth interval when they overlap (half-open intervals). Precision is
 * the share of events that match some truth; recall the share of truths that some event
 * overlaps. With no events there is no false alarm (precision 1); with no truths there is
 * nothing to miss (recall 1); F1 then says how useful the result is.
 */
import type { AnomalyKind } from './anomalyTypes.js';

export interface TimeSpan {
  kind?: AnomalyKind;
  start: Date;
  end: Date;
}

export interface EvaluationOptions {
  /** Count a match only between an event and a truth of the same kind. Default false. */
  sameKind?: boolean;
}

export interface Evaluation {
  events: number;
  truths: number;
  /** Events overlapping at least one truth. */
  matchedEvents: number;
  /** Truths overlapped by at least one event. */
  recalledTruths: number;
  precision: number;
  recall: number;
  f1: number;
}

function overlaps(a: TimeSpan, b: TimeSpan, sameKind: boolean): boolean {
  if (sameKind && a.kind !== b.kind) return false;
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

export function evaluateDetections(
  events: readonly TimeSpan[],
  truths: readonly TimeSpan[],
  opts: EvaluationOptions = {},
): Evaluation {
  const sameKind = opts.sameKind ?? false;
  const matchedEvents = events.filter((e) => truths.some((t) => overlaps(e, t, sameKind))).length;
  const recalledTruths = truths.filter((t) => events.some((e) => overlaps(e, t, sameKind))).length;
  const precision = events.length === 0 ? 1 : matchedEvents / events.length;
  const recall = truths.length === 0 ? 1 : recalledTruths / truths.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    events: events.length,
    truths: truths.length,
    matchedEvents,
    recalledTruths,
    precision,
    recall,
    f1,
  };
}
