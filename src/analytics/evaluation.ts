/**
 * Scores detected anomaly events against known ground truth (a simulator's injected
 * faults, or hand-labelled intervals), to compare the detection methods.
 *
 * An event matches a truth interval when they overlap (half-open intervals, within their
 * active parts where given) and, if a rule is given, the rule accepts the pair of kinds.
 * Precision is the share of events that match some truth; recall the share of truths
 * that some event matches. With no events there is no false alarm (precision 1); with no
 * truths there is nothing to miss (recall 1); F1 then says how useful the result is.
 */

export interface Span {
  start: Date;
  end: Date;
}

export interface TimeSpan extends Span {
  /** An anomaly kind for events; for truths, whatever the labeller calls it. */
  kind?: string;
  /**
   * Where within [start, end) the span is really active, when not all of it: a fault
   * seen night after night is active only at night, and an event during the days in
   * between has not found it.
   */
  parts?: readonly Span[];
}

export interface EvaluationOptions {
  /** Count a match only between an event and a truth of the same kind. Default false. */
  sameKind?: boolean;
  /**
   * Which event kinds may match which truth kinds (e.g. a raised night baseload may be
   * found as a night event or as spikes). Checked after the overlap; wins over sameKind.
   */
  accepts?: (eventKind: string | undefined, truthKind: string | undefined) => boolean;
}

export interface Evaluation {
  events: number;
  truths: number;
  /** Events matching at least one truth. */
  matchedEvents: number;
  /** Events matching no truth. */
  falseAlarms: number;
  /** Truths matched by at least one event. */
  recalledTruths: number;
  precision: number;
  recall: number;
  f1: number;
}

function spanOverlap(a: Span, b: Span): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** True when the two spans share an instant (within their parts, where given). */
export function overlaps(a: TimeSpan, b: TimeSpan): boolean {
  if (!spanOverlap(a, b)) return false;
  const pa = a.parts ?? [a];
  const pb = b.parts ?? [b];
  return pa.some((x) => pb.some((y) => spanOverlap(x, y)));
}

export function f1Score(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

export function evaluateDetections(
  events: readonly TimeSpan[],
  truths: readonly TimeSpan[],
  opts: EvaluationOptions = {},
): Evaluation {
  const sameKind = opts.sameKind ?? false;
  const accepts =
    opts.accepts ??
    ((e: string | undefined, t: string | undefined): boolean => !sameKind || e === t);
  const match = (e: TimeSpan, t: TimeSpan): boolean => overlaps(e, t) && accepts(e.kind, t.kind);
  const matchedEvents = events.filter((e) => truths.some((t) => match(e, t))).length;
  const recalledTruths = truths.filter((t) => events.some((e) => match(e, t))).length;
  const precision = events.length === 0 ? 1 : matchedEvents / events.length;
  const recall = truths.length === 0 ? 1 : recalledTruths / truths.length;
  return {
    events: events.length,
    truths: truths.length,
    matchedEvents,
    falseAlarms: events.length - matchedEvents,
    recalledTruths,
    precision,
    recall,
    f1: f1Score(precision, recall),
  };
}
