/**
 * Fetching one window of one series when the meter may have been activated inside (or
 * after) it: the provider refuses a period before activation, so the first refusal starts a
 * search for the activation day, and the window is asked again from that day. A window that
 * starts before the consent's start (ADAM-DC-0009) is clamped to that start and asked again.
 */
import type { LoadCurveKind } from '../providers/types.js';
import {
  fetchWindow,
  findActivationDay,
  isBeforeActivation,
  isBeforeConsentStart,
  type FetchPolicy,
  type WindowAnswer,
} from './fetchWindow.js';
import type { Window } from './windows.js';

/** What the sync has learnt of the meter's activation, shared by its windows. */
export interface ActivationState {
  /** First day with data, once a search found it. */
  day: string | null;
  /** Where a search stops: the last day any window reaches. */
  searchEnd: string;
  /**
   * The consent's first day, when the link told it: a window refused as starting before the
   * consent (ADAM-DC-0009) is clamped to it at once, without a search.
   */
  consentStartDay?: string | null;
}

/** A window clipped to the known activation day; null when the whole window is before it. */
export function clipToActivation(w: Window, activationDay: string | null): Window | null {
  if (activationDay === null) return w;
  if (w.toDay <= activationDay) return null;
  return w.fromDay < activationDay ? { ...w, fromDay: activationDay } : w;
}

export type SeriesAnswer = { answer: WindowAnswer; window: Window } | 'before_activation';

/**
 * One series of one window. Before activation: the first consumption refusal searches the
 * activation day (once per sync) and asks again from it; any other refusal, or one after the
 * search, means the window holds nothing.
 */
export async function fetchSeriesFromActivation(
  policy: FetchPolicy,
  prm: string,
  kind: LoadCurveKind,
  window: Window,
  activation: ActivationState,
): Promise<SeriesAnswer> {
  const ask = (w: Window) => fetchWindow(policy, { prm, kind, fromDay: w.fromDay, toDay: w.toDay });
  try {
    return { answer: await ask(window), window };
  } catch (e) {
    if (isBeforeConsentStart(e) && activation.consentStartDay) {
      // The consent's start is known: clamp the window to it and ask once more.
      const clamped = clipToActivation(window, activation.consentStartDay);
      if (!clamped) return 'before_activation';
      if (clamped.fromDay !== window.fromDay) {
        activation.day = maxDay(activation.day, activation.consentStartDay);
        return fetchSeriesFromActivation(policy, prm, kind, clamped, activation);
      }
    }
    if (!isBeforeActivation(e) && !isBeforeConsentStart(e)) throw e;
    if (kind !== 'consumption' || activation.day !== null) return 'before_activation';
  }
  activation.day = await findActivationDay(policy, {
    prm,
    kind,
    knownBefore: window.fromDay,
    endDay: activation.searchEnd,
  });
  const clipped = clipToActivation(window, activation.day);
  if (!clipped) return 'before_activation';
  try {
    return { answer: await ask(clipped), window: clipped };
  } catch (e) {
    if (isBeforeActivation(e) || isBeforeConsentStart(e)) return 'before_activation';
    throw e;
  }
}

function maxDay(a: string | null, b: string): string {
  return a !== null && a > b ? a : b;
}
