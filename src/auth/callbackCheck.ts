/**
 * What a request on the loopback /callback means: the parameters read from its query,
 * checked against the expected state, and the page the browser gets back.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../domain/errors.js';
import type { CallbackParams } from '../providers/types.js';
import { failurePage, successPage, type CallbackPage } from './callbackPage.js';

export type Outcome = { ok: true; params: CallbackParams } | { ok: false; error: Error };

/** Compares two states in constant time (hashing first makes the lengths equal). */
export function statesMatch(received: string, expected: string): boolean {
  const a = createHash('sha256').update(received).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Provider text shown back to the user: one line, bounded, without control characters. */
function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
}

export function readCallbackParams(query: URLSearchParams): CallbackParams {
  const params: CallbackParams = {};
  const take = (name: string): string | undefined => query.get(name) || undefined;
  const code = take('code');
  const state = take('state');
  const error = take('error');
  const errorDescription = take('error_description');
  const autorisationId = take('autorisation_id');
  const usagePointId = take('usage_point_id');
  if (code !== undefined) params.code = code;
  if (state !== undefined) params.state = state;
  if (error !== undefined) params.error = cleanText(error);
  if (errorDescription !== undefined) params.errorDescription = cleanText(errorDescription);
  if (autorisationId !== undefined) params.autorisationId = autorisationId;
  if (usagePointId !== undefined) params.usagePointId = usagePointId;
  return params;
}

export const RESTART = 'Start the link again from the terminal and finish it in this browser.';

/** Decides what a callback means: the parameters, or an error with the page to show. */
export function judgeCallback(
  params: CallbackParams,
  expectedState: string,
): { outcome: Outcome; page: CallbackPage } {
  const stateOk = params.state !== undefined && statesMatch(params.state, expectedState);
  const csrf = (): { outcome: Outcome; page: CallbackPage } => ({
    outcome: {
      ok: false,
      error: new AuthError(
        'the consent answer carried a wrong or missing state (possible CSRF); nothing was stored',
        { hint: 'run the link again and finish it in the browser it opens' },
      ),
    },
    page: failurePage(
      400,
      'This answer does not belong to the link started in the terminal (state mismatch). Nothing was stored.',
      RESTART,
    ),
  });
  if (params.error !== undefined) {
    // An error answer without a state is still reported as the provider's error: nothing
    // is stored from it, so the worst a forged one can do is end this attempt.
    if (params.state !== undefined && !stateOk) return csrf();
    if (params.error === 'access_denied') {
      return {
        outcome: {
          ok: false,
          error: new AuthError('consent refused at the provider', {
            hint: 'run the link again and accept the consent to link the meter',
          }),
        },
        page: failurePage(
          403,
          'The consent was refused or cancelled at the provider, so the meter was not linked.',
          'To link it, start the link again from the terminal and accept the consent.',
        ),
      };
    }
    const detail = params.errorDescription ? `: ${params.errorDescription}` : '';
    return {
      outcome: {
        ok: false,
        error: new AuthError(`the provider answered the consent with "${params.error}"${detail}`),
      },
      page: failurePage(400, `The provider answered with "${params.error}"${detail}.`, RESTART),
    };
  }
  if (!stateOk) return csrf();
  if (!params.code && !params.autorisationId && !params.usagePointId) {
    return {
      outcome: { ok: false, error: new AuthError('the consent answer carried no authorization') },
      page: failurePage(400, 'The answer carried neither a code nor an authorization.', RESTART),
    };
  }
  return { outcome: { ok: true, params }, page: successPage() };
}
