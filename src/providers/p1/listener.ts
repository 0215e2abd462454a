/**
 * One P1 meter's listener: a transport feeding the parser's output into the quarter-hour
 * accumulator, with results handed on in batches (a store writes one transaction per batch,
 * not one per telegram). Each batch carries the accumulator's state as of that batch, so a
 * store that saves both together resumes after a restart without losing or repeating a
 * quarter-hour. Rejected telegrams are counted by reason; a meter that goes quiet and comes
 * back is reported.
 */
import {
  createQuarterHourAccumulator,
  type AccumulatorCounts,
  type AccumulatorOptions,
  type AccumulatorState,
  type P1Event,
  type P1MonthPeak,
  type P1Reading,
} from './quarterHours.js';
import type { ReceivedTelegram, TelegramTransport } from './transports/types.js';
import type { P1Telegram, RejectReason } from './types.js';

export type P1ListenerEvent =
  | P1Event
  | { kind: 'quiet'; since: number }
  | { kind: 'resumed'; at: number; quietSeconds: number };

export interface P1Batch {
  readings: P1Reading[];
  peaks: P1MonthPeak[];
  events: P1ListenerEvent[];
  /** Telegrams rejected since the previous batch, by reason (never stored). */
  rejected: Partial<Record<RejectReason, number>>;
  /** The last good telegram, for "current readings" displays. */
  latest: P1Telegram | null;
  /** Save with the readings: resume from it after a restart. */
  state: AccumulatorState;
  counts: AccumulatorCounts;
}

export interface P1ListenerOptions {
  transport: TelegramTransport;
  onBatch: (batch: P1Batch) => Promise<void> | void;
  onError?: (e: Error) => void;
  accumulator?: AccumulatorOptions;
  resume?: AccumulatorState;
  /** Longest wait before pending results are handed on (default 5 s). */
  flushMs?: number;
  /** Pending readings that trigger a batch at once (default 500). */
  maxBatch?: number;
  /** Silence after which the meter is reported quiet (default 60 s). */
  quietSeconds?: number;
  now?: () => number;
}

export interface P1Listener {
  start(): void;
  /** Stops the transport and hands on what is pending. */
  stop(): Promise<void>;
}

export function createP1Listener(opts: P1ListenerOptions): P1Listener {
  const now = opts.now ?? Date.now;
  const acc = createQuarterHourAccumulator(opts.accumulator, opts.resume);
  const flushMs = opts.flushMs ?? 5000;
  const maxBatch = opts.maxBatch ?? 500;
  const quietMs = (opts.quietSeconds ?? 60) * 1000;
  let pending = emptyPending();
  let latest: P1Telegram | null = null;
  // Telegrams taken since the last batch: a batch carries them (counts, state, last telegram)
  // even when they completed no quarter-hour, so what `status` shows is at most flushMs old.
  let taken = false;
  let lastArrival = now();
  let quiet = false;
  let flushing: Promise<void> = Promise.resolve();
  let flushTimer: NodeJS.Timeout | null = null;
  let quietTimer: NodeJS.Timeout | null = null;

  function emptyPending(): Omit<P1Batch, 'latest' | 'state' | 'counts'> {
    return { readings: [], peaks: [], events: [], rejected: {} };
  }

  function flush(): Promise<void> {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const p = pending;
    if (
      !taken &&
      p.readings.length + p.peaks.length + p.events.length + Object.keys(p.rejected).length === 0
    ) {
      return flushing;
    }
    pending = emptyPending();
    taken = false;
    const batch: P1Batch = { ...p, latest, state: acc.state(), counts: acc.counts() };
    // Batches go out one after the other, in order, whatever the store's speed.
    flushing = flushing
      .then(() => opts.onBatch(batch))
      .catch((e: unknown) => opts.onError?.(e as Error));
    return flushing;
  }

  function schedule(): void {
    if (pending.readings.length >= maxBatch) void flush();
    else flushTimer ??= setTimeout(() => void flush(), flushMs);
  }

  function onTelegram(r: ReceivedTelegram): void {
    if (quiet) {
      quiet = false;
      const quietSeconds = Math.round((r.arrivalMs - lastArrival) / 1000);
      pending.events.push({ kind: 'resumed', at: r.arrivalMs, quietSeconds });
    }
    lastArrival = r.arrivalMs;
    if (!r.result.ok) {
      pending.rejected[r.result.reason] = (pending.rejected[r.result.reason] ?? 0) + 1;
    } else {
      latest = r.result.telegram;
      taken = true;
      const out = acc.push(r.result.telegram, r.arrivalMs);
      pending.readings.push(...out.readings);
      pending.peaks.push(...out.peaks);
      pending.events.push(...out.events);
    }
    schedule();
  }

  function watchQuiet(): void {
    quietTimer = setTimeout(
      () => {
        if (!quiet && now() - lastArrival >= quietMs) {
          quiet = true;
          pending.events.push({ kind: 'quiet', since: lastArrival });
          schedule();
        }
        watchQuiet();
      },
      Math.min(quietMs, 5000),
    );
  }

  return {
    start() {
      lastArrival = now();
      opts.transport.start(onTelegram, (e) => opts.onError?.(e));
      watchQuiet();
    },
    async stop() {
      if (quietTimer) clearTimeout(quietTimer);
      quietTimer = null;
      await opts.transport.stop();
      await flush();
    },
  };
}
