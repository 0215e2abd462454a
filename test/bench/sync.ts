/**
 * Benchmark of issue 4, against the simulator at its default quotas (Enedis 5 calls/s and
 * 1,000 calls/h, the client configured the same): (1) 100 meters × 1 day and (2) 1 meter ×
 * 24 months through the sync engine, against the quota's lower bound; (3) the seed's design
 * (one meter after another, 2 s pause) on the same 100 meters; (4) memory of a 100-meter ×
 * 24-month backfill, at raised quotas, in a child process.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { listDevices } from '../../src/db/devices.js';
import { upsertReadings } from '../../src/db/readings.js';
import type { Reading } from '../../src/domain/readings.js';
import { DEFAULT_QUOTAS } from '../../src/simulator/quotas.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import type { DeviceSyncResult } from '../../src/sync/syncDevice.js';
import { syncDevices } from '../../src/sync/syncDevices.js';
import { openBenchDatabase, type BenchDatabase } from './benchDatabases.js';
import { figure, fixed, int, mib, onExitCleanup, progress, timed, type Print } from './common.js';
import {
  benchConfig,
  benchSyncEnv,
  fullHistoryMeters,
  loadCurveCalls,
  quotaLowerBoundSeconds,
  registerMeters,
  served429,
  yesterdayWindow,
  type RateLimit,
} from './syncSetup.js';
import {
  MEMORY_DEVICES,
  RAISED_RATE,
  type MemoryReport,
  type MemoryVariant,
} from './syncMemory.js';

const DEFAULT_RATE: RateLimit = {
  perSecond: DEFAULT_QUOTAS.enedisPerSecond,
  perHour: DEFAULT_QUOTAS.enedisPerHour,
};
const DEVICES = 100;
const SEED_PAUSE_MS = 2000;

async function embedded(): Promise<BenchDatabase> {
  const opened = await openBenchDatabase('embedded-memory');
  if ('skipped' in opened) throw new Error(opened.skipped);
  return opened;
}

function statusLine(results: DeviceSyncResult[]): string {
  const by: Record<string, number> = {};
  for (const r of results) by[r.status] = (by[r.status] ?? 0) + 1;
  return Object.entries(by)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/** Prints wall time, calls, the quota's lower bound and the ratio of the two. */
function quotaFigures(
  print: Print,
  sim: Simulator,
  wallMs: number,
  results: DeviceSyncResult[],
): void {
  const calls = loadCurveCalls(sim);
  const tooMany = served429(sim);
  const answered = calls - tooMany;
  const bound = quotaLowerBoundSeconds(answered, DEFAULT_RATE.perSecond);
  figure(print, 'wall time', `${fixed(wallMs / 1000, 1)} s`, statusLine(results));
  figure(print, 'load-curve calls answered (429s apart)', `${int(answered)} calls`);
  figure(print, 'quota lower bound ⌈N/5⌉ − 1', `${fixed(bound, 1)} s`);
  figure(
    print,
    'wall time / lower bound',
    bound > 0 ? `${fixed(wallMs / 1000 / bound, 2)} ×` : 'n/a',
    'aim ≤ 1.2×',
  );
  figure(print, '429s served by the simulator', `${int(tooMany)}`);
  figure(
    print,
    'readings written',
    `${int(results.reduce((n, r) => n + r.synced_readings, 0))} rows`,
  );
}

/** (1) then (3): the sync engine on 100 meters × 1 day, then the seed's loop on the same meters. */
async function manyDevicesOneDay(print: Print): Promise<void> {
  const sim = await startSimulator({ quotas: { ...DEFAULT_QUOTAS } });
  const t = await embedded();
  try {
    const ids = await registerMeters(t.db, sim.createMeters('enedis', DEVICES), 'Bench 100 meters');
    const config = benchConfig(sim, DEFAULT_RATE);
    const day = yesterdayWindow();
    print(
      `\n  (1) ${DEVICES} meters × 1 day (${day.fromDay}), sync engine, concurrency ${config.sync.concurrency}; ${t.label}`,
    );
    progress(`sync of ${DEVICES} meters × 1 day`);
    const env = benchSyncEnv(t.db, config, AbortSignal.timeout(5 * 60_000));
    const one = await timed(() => syncDevices(env, { dueOnly: false, deviceIds: ids }, day));
    quotaFigures(print, sim, one.ms, one.value);

    // (3) The seed: meters one after another, one call each, a 2 s pause after each but the
    // last; the same adapter and the same upsert, into an emptied table.
    await t.db.exec('DELETE FROM iot_readings');
    // Let the last calls of (1) leave the simulator's 1-second window first: (1) ends with a
    // full second of calls, and the seed's loop has no retry.
    await sleep(1100);
    sim.resetStats();
    const provider = benchSyncEnv(t.db, config, AbortSignal.timeout(1000)).provider('enedis');
    const devices = (await listDevices(t.db)).filter((d) => ids.includes(d.id));
    print(
      `\n  (3) the seed's design on the same ${devices.length} meters: one after another, ${SEED_PAUSE_MS / 1000} s pause between meters`,
    );
    progress(
      `seed's loop: ${devices.length} meters, ~${Math.round((devices.length * SEED_PAUSE_MS) / 1000)} s`,
    );
    let written = 0;
    let failures = 0;
    const seed = await timed(async () => {
      for (const [i, d] of devices.entries()) {
        try {
          const res = await provider.fetchLoadCurve({
            prm: d.prm,
            kind: 'consumption',
            ...day,
            tokens: {},
          });
          const rows: Reading[] = res.readings.map((r) => ({
            buildingId: d.building_id,
            deviceRef: d.prm,
            deviceType: 'electricity_meter',
            metricType: 'electricity_consumption',
            timestamp: r.start,
            intervalSeconds: r.intervalSeconds,
            value: r.kwh,
            unit: 'kWh',
            source: 'linky_enedis',
          }));
          written += await upsertReadings(t.db, rows);
        } catch {
          failures++;
        }
        if (i < devices.length - 1) await sleep(SEED_PAUSE_MS);
      }
    });
    figure(print, 'wall time', `${fixed(seed.ms / 1000, 1)} s`, `${failures} failed calls`);
    figure(print, 'readings written', `${int(written)} rows`);
    figure(print, '429s served by the simulator', `${int(served429(sim))}`);
    figure(print, 'seed time / sync engine time (1)', `${fixed(seed.ms / one.ms, 1)} ×`);
  } finally {
    await t.close();
    await sim.close();
  }
}

/** (2) One meter, its whole 24-month history. */
async function oneDeviceBackfill(print: Print): Promise<void> {
  const sim = await startSimulator({ quotas: { ...DEFAULT_QUOTAS } });
  const t = await embedded();
  try {
    const ids = await registerMeters(t.db, fullHistoryMeters(sim, 1), 'Bench backfill');
    print(
      `\n  (2) 1 meter × 24 months backfill (730 days, 7-day windows), sync engine; ${t.label}`,
    );
    progress('backfill of 1 meter × 24 months');
    const env = benchSyncEnv(t.db, benchConfig(sim, DEFAULT_RATE), AbortSignal.timeout(5 * 60_000));
    const r = await timed(() => syncDevices(env, { dueOnly: false, deviceIds: ids }));
    quotaFigures(print, sim, r.ms, r.value);
  } finally {
    await t.close();
    await sim.close();
  }
}

/** Runs syncMemory.main.js in a child process; its report, or why it failed. */
function memoryChild(variant: MemoryVariant): Promise<MemoryReport | string> {
  const script = fileURLToPath(new URL('./syncMemory.main.js', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', script, variant], {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 30 * 60_000,
    });
    // If this process is stopped, the measuring process stops too (and cleans up after itself).
    onExitCleanup();
    const stopChild = () => child.kill('SIGTERM');
    process.on('exit', stopChild);
    child.on('close', () => process.off('exit', stopChild));
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', (e) => resolve(e.message));
    child.on('close', (code, signal) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        if (code === 0) return resolve(JSON.parse(last) as MemoryReport);
      } catch {
        // fall through: the report line is missing
      }
      resolve(`the measuring process ended with ${signal ?? `code ${code}`}`);
    });
  });
}

function memoryFigures(print: Print, m: MemoryReport): void {
  print(`\n  (4) memory, ${m.devices} meters × 24 months backfill; ${m.label}`);
  figure(
    print,
    'wall time',
    `${fixed(m.wallMs / 1000, 1)} s`,
    Object.entries(m.statuses)
      .map(([s, n]) => `${n} ${s}`)
      .join(', '),
  );
  figure(print, 'load-curve calls', `${int(m.calls)} calls`, `${int(m.tooMany)} answered 429`);
  figure(
    print,
    'readings written',
    `${int(m.readingsWritten)} rows`,
    `${int((m.calls / m.wallMs) * 1000)} calls/s, ${int((m.readingsWritten / m.wallMs) * 1000)} rows/s`,
  );
  figure(
    print,
    'rss / heapUsed before the sync',
    `${mib(m.baseline.rss)} / ${mib(m.baseline.heapUsed)}`,
  );
  for (const { share, sample } of m.atShare) {
    figure(
      print,
      `rss / heapUsed at ${share * 100} % of the calls`,
      `${mib(sample.rss)} / ${mib(sample.heapUsed)}`,
      `arrayBuffers ${mib(sample.arrayBuffers)}`,
    );
  }
  figure(print, 'peak rss / peak heapUsed', `${mib(m.peakRss)} / ${mib(m.peakHeapUsed)}`);
}

async function backfillMemory(print: Print): Promise<void> {
  print(
    `\n  (4) memory of a ${MEMORY_DEVICES}-meter × 24-month backfill: ~10,500 calls would take hours at 1,000 calls/h,`,
  );
  print(
    `  so the simulator's quotas and the client's rate limit are both raised to ${int(RAISED_RATE.perSecond)} calls/s and ${int(RAISED_RATE.perHour)} calls/h.`,
  );
  print('  Each run is a fresh process (simulator in it too); memoryUsage() sampled every 200 ms.');
  print(
    '  The two runs go side by side (one process each), so their wall times share the machine.',
  );
  const variants = ['embedded', 'embedded-memory'] as const;
  progress(
    `memory of a ${MEMORY_DEVICES}-meter backfill: ${variants.join(' and ')}, one child process each`,
  );
  const reports = await Promise.all(variants.map((v) => memoryChild(v)));
  reports.forEach((m, i) => {
    if (typeof m === 'string') print(`\n  (4) ${variants[i]}: FAILED: ${m}`);
    else memoryFigures(print, m);
  });
}

export async function run(print: Print): Promise<void> {
  print(
    `  simulator quotas: Enedis ${DEFAULT_QUOTAS.enedisPerSecond} calls/s and ${int(DEFAULT_QUOTAS.enedisPerHour)} calls/h (its defaults); client rate limit the same.`,
  );
  print(
    '  lower bound: at most 5 calls in any 1 s window, 5 at t = 0, so N calls need ⌈N/5⌉ − 1 s (= (N − 5)/5 s for N a multiple of 5).',
  );
  print(
    '  (1)–(3) use an in-memory embedded database: at 5 calls/s the database is not what limits.',
  );
  await manyDevicesOneDay(print);
  await oneDeviceBackfill(print);
  await backfillMemory(print);
}
