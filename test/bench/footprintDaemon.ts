/**
 * The daemon's resident memory through a 24-month backfill of 5 Enedis meters (the simulator,
 * with its quota raised so the backfill takes minutes, not hours), on the embedded database,
 * as a user runs it (the built binary, spawned). RSS is read from /proc every 500 ms and tied
 * to the provider calls made by then, so one sees whether it grows with the data; then the
 * daemon idles 15 s to show where it settles. Run once with the daemon's default (the
 * optimising WebAssembly compiler) and once with only the baseline compiler.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/open.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { fixed, progress } from './common.js';
import {
  BENCH_ENV,
  fullHistoryMeters,
  HISTORY_DAYS,
  loadCurveCalls,
  registerMeters,
} from './syncSetup.js';

export const BACKFILL_METERS = 5;
const RAISED = { perSecond: 200, perHour: 10_000_000 };
const SAMPLE_MS = 500;
const IDLE_MS = 15_000;
const BUDGET_MS = 20 * 60_000;

export interface DaemonBackfill {
  label: string;
  calls: number;
  backfillMs: number;
  peakMiB: number;
  /** RSS once the daemon serves, before the first call. */
  startMiB: number;
  /** RSS at the first sample past 25/50/75/100 % of the calls. */
  atShare: { share: number; mib: number }[];
  idleMiB: number;
  /** Readings the cycle wrote, and the data directory's size after it (chunks compressed). */
  readings: number;
  dataDirBytes: number;
  /** Of which the write-ahead log (bounded by max_wal_size, not by the data). */
  walBytes: number;
  split: MemorySplit | null;
}

export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else if (e.isFile()) n += fs.statSync(p).size;
  }
  return n;
}

/** Where the daemon's memory was at its highest RSS, as the daemon itself saw it. */
export interface MemorySplit {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Memory V8 does not manage itself: PGlite's WebAssembly heap and Node's buffers. */
  external: number;
}

/** A preloaded module that keeps, in a file, the daemon's memoryUsage() at its highest RSS. */
function writeSplitProbe(dir: string): string {
  const file = path.join(dir, 'split-probe.mjs');
  fs.writeFileSync(
    file,
    [
      "import fs from 'node:fs';",
      'let top = { rss: 0 };',
      'setInterval(() => {',
      '  const m = process.memoryUsage();',
      '  if (m.rss > top.rss) {',
      '    top = m;',
      '    fs.writeFileSync(process.env.FOOTPRINT_SPLIT_FILE, JSON.stringify(m));',
      '  }',
      `}, ${SAMPLE_MS}).unref();`,
    ].join('\n'),
  );
  return file;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** A data directory with 5 meters linked, and the config that points the daemon at `sim`. */
async function prepare(sim: Simulator, dir: string): Promise<Record<string, string>> {
  const dataDir = path.join(dir, 'data');
  const configFile = path.join(dir, 'config.json');
  const settings = {
    providers: { enedis: { baseUrl: sim.url, historyDays: HISTORY_DAYS, rateLimit: RAISED } },
  };
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const env = {
    ...BENCH_ENV,
    KOPROGO_IOT_CONFIG: configFile,
    KOPROGO_IOT_DATA_DIR: dataDir,
    DATABASE_URL: '',
  };
  const config = resolveConfig(settings, env, {}, null);
  const db = await openDatabase(config, { command: 'bench setup' });
  try {
    await registerMeters(db, fullHistoryMeters(sim, BACKFILL_METERS), 'Footprint backfill');
  } finally {
    await db.close();
  }
  return env;
}

export async function measureDaemonBackfill(
  bin: string,
  dir: string,
  label: string,
  nodeArgs: readonly string[],
): Promise<DaemonBackfill> {
  const sim = await startSimulator({
    quotas: { enedisPerSecond: RAISED.perSecond, enedisPerHour: RAISED.perHour },
  });
  try {
    const env = await prepare(sim, dir);
    const splitFile = path.join(dir, 'split.json');
    const child = spawn(process.execPath, [...nodeArgs, bin, 'daemon'], {
      env: {
        ...process.env,
        ...env,
        NO_COLOR: '1',
        NODE_OPTIONS: `--import=${writeSplitProbe(dir)}`,
        FOOTPRINT_SPLIT_FILE: splitFile,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const samples: { atMs: number; calls: number; mib: number }[] = [];
    const t0 = performance.now();
    let doneAt: number | null = null;
    try {
      while (performance.now() - t0 < BUDGET_MS && child.exitCode === null) {
        samples.push({
          atMs: performance.now() - t0,
          calls: loadCurveCalls(sim),
          mib: rssMiB(child.pid!),
        });
        if (doneAt === null && stderr.includes('cycle done')) doneAt = performance.now();
        if (doneAt !== null && performance.now() - doneAt >= IDLE_MS) break;
        await sleep(SAMPLE_MS);
      }
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    if (doneAt === null)
      throw new Error(`${label}: the backfill did not finish: ${stderr.slice(-400)}`);
    const calls = loadCurveCalls(sim);
    const firstCall = samples.find((s) => s.calls > 0) ?? samples[0]!;
    return {
      label,
      calls,
      backfillMs: doneAt - t0,
      peakMiB: Math.max(...samples.map((s) => s.mib)),
      startMiB: firstCall.mib,
      atShare: [0.25, 0.5, 0.75, 1].map((share) => ({
        share,
        mib: (samples.find((s) => s.calls >= share * calls) ?? samples.at(-1)!).mib,
      })),
      idleMiB: samples.at(-1)!.mib,
      readings: Number(/cycle done[^\n]*?readings\W+(\d+)/.exec(stderr)?.[1] ?? NaN),
      dataDirBytes: dirBytes(path.join(dir, 'data')),
      walBytes: dirBytes(path.join(dir, 'data', 'pgdata', 'pg_wal')),
      split: fs.existsSync(splitFile)
        ? (JSON.parse(fs.readFileSync(splitFile, 'utf8')) as MemorySplit)
        : null,
    };
  } finally {
    await sim.close();
  }
}

export function describeBackfill(r: DaemonBackfill): string {
  const shares = r.atShare.map((s) => `${s.share * 100}%: ${fixed(s.mib, 0)}`).join(', ');
  const mib = (r.dataDirBytes / 1048576).toFixed(1);
  const m = (n: number) => fixed(n / 1048576, 0);
  const split = r.split
    ? `; at its peak the daemon saw: JS heap ${m(r.split.heapUsed)}/${m(r.split.heapTotal)} MiB, external (WebAssembly heap, buffers) ${m(r.split.external)} MiB, the rest (compiled code, stacks, libraries) ${m(r.split.rss - r.split.heapTotal - r.split.external)} MiB`
    : '';
  return `peak ${fixed(r.peakMiB, 0)} MiB; at first call ${fixed(r.startMiB, 0)}, ${shares}; idle after ${fixed(r.idleMiB, 0)} MiB; ${r.calls} calls in ${fixed(r.backfillMs / 1000, 1)} s; ${r.readings} readings, data directory ${mib} MiB (WAL ${(r.walBytes / 1048576).toFixed(1)})${split}`;
}

export function backfillProgress(label: string): void {
  progress(`daemon backfill of ${BACKFILL_METERS} meters × 24 months, ${label}`);
}
