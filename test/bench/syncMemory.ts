/**
 * Memory of a large backfill: 100 Enedis meters × 24 months through the sync engine, into the
 * embedded database, with process.memoryUsage() sampled every 200 ms and tied to how many
 * provider calls were made by then, so one sees whether memory grows with the data.
 *
 * At the real quota (1,000 calls/h) the ~10,500 calls would take hours: the simulator's
 * quotas and the client's rate limit are both raised to 500 calls/s and 10,000,000 calls/h.
 * Runs in its own process (syncMemory.main.ts) so earlier benches do not blur the figures.
 */
import { startSimulator } from '../../src/simulator/server.js';
import { syncDevices } from '../../src/sync/syncDevices.js';
import { openBenchDatabase } from './benchDatabases.js';
import { collectGarbage, progress } from './common.js';
import {
  benchConfig,
  benchSyncEnv,
  fullHistoryMeters,
  loadCurveCalls,
  registerMeters,
  served429,
  type RateLimit,
} from './syncSetup.js';

export const MEMORY_DEVICES = 100;
export const RAISED_RATE: RateLimit = { perSecond: 500, perHour: 10_000_000 };
const SAMPLE_MS = 200;
const BUDGET_MS = 25 * 60_000;

export type MemoryVariant = 'embedded' | 'embedded-memory';

export interface MemorySample {
  atMs: number;
  calls: number;
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}

export interface MemoryReport {
  variant: MemoryVariant;
  label: string;
  devices: number;
  calls: number;
  tooMany: number;
  readingsWritten: number;
  statuses: Record<string, number>;
  wallMs: number;
  baseline: MemorySample;
  peakRss: number;
  peakHeapUsed: number;
  /** First sample at or past 25/50/75/100 % of the calls. */
  atShare: { share: number; sample: MemorySample }[];
}

export async function measureBackfillMemory(variant: MemoryVariant): Promise<MemoryReport> {
  const sim = await startSimulator({
    quotas: { enedisPerSecond: RAISED_RATE.perSecond, enedisPerHour: RAISED_RATE.perHour },
  });
  const opened = await openBenchDatabase(variant);
  if ('skipped' in opened) throw new Error(opened.skipped);
  const samples: MemorySample[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const { db } = opened;
    const meters = fullHistoryMeters(sim, MEMORY_DEVICES);
    const ids = await registerMeters(db, meters, 'Bench memory');
    const env = benchSyncEnv(db, benchConfig(sim, RAISED_RATE), AbortSignal.timeout(BUDGET_MS));
    collectGarbage();
    const t0 = performance.now();
    const sample = (): MemorySample => {
      const m = process.memoryUsage();
      return {
        atMs: performance.now() - t0,
        calls: loadCurveCalls(sim),
        rss: m.rss,
        heapUsed: m.heapUsed,
        arrayBuffers: m.arrayBuffers,
      };
    };
    const baseline = sample();
    samples.push(baseline);
    let lastReport = 0;
    timer = setInterval(() => {
      const s = sample();
      samples.push(s);
      if (s.atMs - lastReport >= 15_000) {
        lastReport = s.atMs;
        progress(
          `backfill (${variant}): ${s.calls} calls, rss ${Math.round(s.rss / 2 ** 20)} MiB, ${Math.round(s.atMs / 1000)} s`,
        );
      }
    }, SAMPLE_MS);
    const results = await syncDevices(env, { dueOnly: false, deviceIds: ids });
    clearInterval(timer);
    timer = undefined;
    const end = sample();
    samples.push(end);
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const total = end.calls;
    return {
      variant,
      label: opened.label,
      devices: ids.length,
      calls: total,
      tooMany: served429(sim),
      readingsWritten: results.reduce((n, r) => n + r.synced_readings, 0),
      statuses,
      wallMs: end.atMs,
      baseline,
      peakRss: Math.max(...samples.map((s) => s.rss)),
      peakHeapUsed: Math.max(...samples.map((s) => s.heapUsed)),
      atShare: [0.25, 0.5, 0.75, 1].map((share) => ({
        share,
        sample: samples.find((s) => s.calls >= share * total) ?? end,
      })),
    };
  } finally {
    if (timer) clearInterval(timer);
    await opened.close();
    await sim.close();
  }
}
