/**
 * Creating simulated meters: identifiers, activation, step, production, anomalies. Everything
 * follows from the simulator seed and the meter's rank, so a run replays exactly.
 *
 * The rank also picks a few deterministic variants, so tests and demos can rely on them:
 * every 4th meter of a provider (ranks 3, 7, …) was activated within the last 13 months, every
 * 5th (ranks 4, 9, …) records every 15 minutes, Enedis ranks 5, 11, … switched from a 60- to a
 * 30-minute step during the history, and ranks 6, 13, … have rooftop PV production.
 */
import type { ProviderName } from './providerNames.js';
import { generateAnomalies } from './anomalies.js';
import { addDays, addMonths, localDay, localDayStartUtc } from './euTime.js';
import type { SimMeter } from './loadModel.js';
import { createPrng, hashInts } from './prng.js';
import { createRealisticCase } from './realisticFaults.js';

/** How a simulated meter's consumption is drawn. */
export interface SimMeterOptions {
  /**
   * The realistic model (realisticLoad.ts): building kinds, day-to-day variation, noisier
   * half-hours, heating with cold spells, holidays, subtle and gross faults and lasting
   * level shifts, instead of the default clean shape and its few injected anomalies.
   */
  realistic?: boolean;
  /** Realistic model: day-to-day and per-interval standard deviations (default 0.15). */
  dayVariation?: number;
  intervalNoise?: number;
}

/** Months of load-curve history the providers keep. */
export const HISTORY_MONTHS = 24;
export const MAX_METERS_PER_PROVIDER = 1_000_000;

function digits(n: number, width: number): string {
  return String(n % 10 ** width).padStart(width, '0');
}

/** GS1 check digit, the last digit of an EAN-18. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const d = Number(body[body.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * A meter identifier unique per (seed, provider, rank): Enedis PRM of 14 digits, ORES EAN of
 * 18 digits starting 5414 with its GS1 check digit.
 */
export function makePrm(provider: ProviderName, seed: number, rank: number): string {
  if (!Number.isInteger(rank) || rank < 0 || rank >= MAX_METERS_PER_PROVIDER) {
    throw new RangeError(`Meter rank out of range: ${rank}`);
  }
  const mixed = digits(hashInts(seed, provider === 'enedis' ? 1 : 2, rank), 7);
  if (provider === 'enedis') return `2${mixed}${digits(rank, 6)}`;
  const body = `5414${mixed}${digits(rank, 6)}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** First local day of served history: today minus 24 months. */
export function historyStartDay(today: string): string {
  return addMonths(today, -HISTORY_MONTHS);
}

/** Builds the rank-th meter of a provider, as it stands at `nowMs`. */
export function createSimMeter(
  provider: ProviderName,
  seed: number,
  rank: number,
  nowMs: number,
  options: SimMeterOptions = {},
): SimMeter {
  const meterSeed = hashInts(seed, provider === 'enedis' ? 11 : 12, rank);
  const rng = createPrng(meterSeed);
  const today = localDay(nowMs);
  const historyStart = historyStartDay(today);

  const recent = rank % 4 === 3;
  const activationDay = recent
    ? addDays(today, -rng.int(60, 400))
    : addDays(historyStart, -rng.int(30, 2000));
  const activationMs = localDayStartUtc(activationDay);

  let stepMinutes = rank % 5 === 4 ? 15 : 30;
  let stepChange: SimMeter['stepChange'];
  if (provider === 'enedis' && rank % 6 === 5 && stepMinutes === 30) {
    stepMinutes = 60;
    stepChange = {
      at: new Date(localDayStartUtc(addDays(today, -rng.int(90, 400)))),
      stepMinutes: 30,
    };
  }
  const solarPeakW = rank % 7 === 6 ? rng.int(20, 60) * 100 : 0;

  const fromMs = Math.max(activationMs, localDayStartUtc(historyStart));
  const anomalies = generateAnomalies(meterSeed, fromMs, localDayStartUtc(today));
  const meter: SimMeter = {
    prm: makePrm(provider, seed, rank),
    provider,
    seed: meterSeed,
    stepMinutes,
    activationDate: new Date(activationMs),
    anomalies,
    solarPeakW,
  };
  if (stepChange) meter.stepChange = stepChange;
  if (options.realistic) {
    const realistic = createRealisticCase({
      seed: meterSeed,
      firstDay: localDay(fromMs),
      // Faults keep being drawn past today, so a simulator left running keeps its realism.
      lastDay: addDays(today, 60),
      ...(options.dayVariation === undefined ? {} : { dayVariation: options.dayVariation }),
      ...(options.intervalNoise === undefined ? {} : { intervalNoise: options.intervalNoise }),
    }).meter;
    meter.realistic = realistic;
    meter.anomalies = [];
  }
  return meter;
}
