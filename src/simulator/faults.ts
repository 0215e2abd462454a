/**
 * Fault injection on the data APIs: added latency, 429/500/503 answers, hung requests,
 * malformed and truncated bodies. Draws come from a seeded PRNG, so a run with the same seed
 * and the same call order fails the same calls.
 */
import { createPrng, hashInts, type Prng } from './prng.js';

export interface FaultSettings {
  /** Added delay before every data answer, ms. */
  latencyMs: number;
  rate429: number;
  rate500: number;
  rate503: number;
  /** Share of requests left hanging (closed after 60 s at most). */
  timeoutRate: number;
  /** Share of 200 answers whose body is not what the API promises. */
  malformedRate: number;
  /** Share of 200 answers cut off mid-body (connection dropped). */
  truncatedRate: number;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  rate429: 0,
  rate500: 0,
  rate503: 0,
  timeoutRate: 0,
  malformedRate: 0,
  truncatedRate: 0,
};

const RATE_KEYS = [
  'rate429',
  'rate500',
  'rate503',
  'timeoutRate',
  'malformedRate',
  'truncatedRate',
] as const;
export const MAX_LATENCY_MS = 60_000;

/**
 * Completes and checks fault settings (missing keys take `base`'s values). Returns the
 * settings or a one-line problem.
 */
export function checkFaults(
  input: unknown,
  base: FaultSettings = NO_FAULTS,
): FaultSettings | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'fault settings must be a JSON object';
  }
  const raw = input as Record<string, unknown>;
  const out: FaultSettings = { ...base };
  for (const key of Object.keys(raw)) {
    if (!(key in NO_FAULTS)) return `unknown fault setting: ${key}`;
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${key} must be a number`;
    out[key as keyof FaultSettings] = v;
  }
  if (out.latencyMs < 0 || out.latencyMs > MAX_LATENCY_MS) {
    return `latencyMs must be between 0 and ${MAX_LATENCY_MS}`;
  }
  for (const key of RATE_KEYS) {
    if (out[key] < 0 || out[key] > 1) return `${key} must be between 0 and 1`;
  }
  if (out.rate429 + out.rate500 + out.rate503 + out.timeoutRate > 1) {
    return 'rate429 + rate500 + rate503 + timeoutRate must not exceed 1';
  }
  if (out.malformedRate + out.truncatedRate > 1) {
    return 'malformedRate + truncatedRate must not exceed 1';
  }
  return out;
}

export type ErrorFault = '429' | '500' | '503' | 'timeout';
export type BodyFault = 'malformed' | 'truncated';

export interface FaultDecision {
  error?: ErrorFault;
  body?: BodyFault;
  /** Picks among variants of a fault (which malformation, Retry-After or not). */
  variant: number;
}

export class FaultInjector {
  private readonly rng: Prng;
  private current: FaultSettings = NO_FAULTS;

  constructor(seed: number, settings: FaultSettings = NO_FAULTS) {
    this.rng = createPrng(hashInts(seed, 0xfa017));
    this.current = settings;
  }

  get settings(): FaultSettings {
    return this.current;
  }

  set(settings: FaultSettings): void {
    this.current = settings;
  }

  /** Draws the fault for one request; always three draws, so the stream stays aligned. */
  decide(): FaultDecision {
    const s = this.current;
    const r = this.rng.next();
    const r2 = this.rng.next();
    const variant = Math.floor(this.rng.next() * 1000);
    const edges: Array<[ErrorFault, number]> = [
      ['429', s.rate429],
      ['500', s.rate500],
      ['503', s.rate503],
      ['timeout', s.timeoutRate],
    ];
    let error: ErrorFault | undefined;
    let edge = 0;
    for (const [kind, rate] of edges) {
      edge += rate;
      if (r < edge) {
        error = kind;
        break;
      }
    }
    if (error) return { error, variant };
    if (r2 < s.malformedRate) return { body: 'malformed', variant };
    if (r2 < s.malformedRate + s.truncatedRate) return { body: 'truncated', variant };
    return { variant };
  }
}
