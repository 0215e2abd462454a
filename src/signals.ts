/**
 * SIGINT/SIGTERM at the process boundary: the first signal aborts the work (it finishes its
 * open transaction and cleans up); with a deadline, whatever still runs after it is cut
 * off, and a second signal exits at once; without one, a second signal gets the default
 * action. The only place besides cli.ts that decides how
 * the process ends.
 */
import { EXIT } from './domain/errors.js';

export interface StopSignalOptions {
  /** What the work is aborted with. */
  reason: (signal: NodeJS.Signals) => unknown;
  /** Said when the first signal arrives. */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** Exit after this long if the work has not stopped, and at once on a second signal. */
  forceExitAfterMs?: number;
}

export async function withStopSignals<T>(
  run: (signal: AbortSignal) => Promise<T>,
  o: StopSignalOptions,
): Promise<T> {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`${sig} again: exiting now\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    o.onSignal?.(sig);
    controller.abort(o.reason(sig));
    if (o.forceExitAfterMs === undefined) {
      // No deadline: a second signal gets the default action again.
      detach();
      return;
    }
    setTimeout(() => process.exit(EXIT.INTERRUPTED), o.forceExitAfterMs).unref();
  };
  const detach = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await run(controller.signal);
  } finally {
    detach();
  }
}
