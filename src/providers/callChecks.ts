/**
 * Checks made before a provider is called, so that a request the provider would refuse
 * (bad PRM, reversed or too long window) never spends a call from the quota.
 */
import { ProviderCallError } from './errors.js';
import { daysBetween } from '../domain/localDays.js';
import type { MeterIdFormat } from './types.js';

/** The meter id of a call, checked against the provider's format before any call is spent. */
export function checkPrm(prm: string, format: MeterIdFormat): string {
  const problem = format.validate(prm);
  if (problem)
    throw new ProviderCallError('bad_request', problem, { hint: 'Check the meter PRM.' });
  return prm.trim();
}

/** fromDay included, toDay excluded, at most maxDays apart (when given). */
export function checkWindow(fromDay: string, toDay: string, maxDays?: number): number {
  const days = daysBetween(fromDay, toDay);
  if (days === null) {
    throw new ProviderCallError('bad_request', `Days must be YYYY-MM-DD: ${fromDay} .. ${toDay}`);
  }
  if (days <= 0) {
    throw new ProviderCallError('bad_request', `Empty window: ${toDay} is not after ${fromDay}`);
  }
  if (maxDays !== undefined && days > maxDays) {
    throw new ProviderCallError(
      'bad_request',
      `Window ${fromDay} .. ${toDay} is ${days} days; the provider allows ${maxDays} per call`,
    );
  }
  return days;
}

/**
 * Waits for a shared promise but gives up when this caller's signal fires; the shared work
 * goes on for the other callers.
 */
export function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
