/**
 * Footprint: peak RSS and wall time of the commands a small host runs, as a user runs them
 * (the built binary, spawned), on an embedded database holding 24 months of readings, each
 * without and with a running daemon (which serves the database, so the command does not open
 * the engine itself). Peak RSS is the child's own high-water mark (`process.resourceUsage()`
 * read at exit by a preloaded probe), so nothing polls and nothing is sampled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, fixed, progress, withTempDir, type Print } from './common.js';
import { measureDiskPerMeterYear } from './footprintDisk.js';
import {
  backfillProgress,
  describeBackfill,
  dirBytes,
  measureDaemonBackfill,
} from './footprintDaemon.js';

/** The project's root: the nearest folder above this file with the project's package.json. */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist-bench')
    dir = path.dirname(dir);
  return dir;
}

const BIN = path.join(projectRoot(), 'bin', 'koprogo-iot');

interface Measured {
  code: number | null;
  ms: number;
  maxRssKiB: number;
  stderr: string;
}

/** A preloaded module that writes the process's peak RSS to a file when it exits. */
function writeProbe(dir: string): string {
  const file = path.join(dir, 'rss-probe.mjs');
  fs.writeFileSync(
    file,
    [
      "import fs from 'node:fs';",
      "process.on('exit', () => {",
      '  const out = process.env.FOOTPRINT_RSS_FILE;',
      '  if (out) fs.writeFileSync(out, String(process.resourceUsage().maxRSS));',
      '});',
    ].join('\n'),
  );
  return file;
}

function measure(args: string[], env: Record<string, string>, probe: string): Promise<Measured> {
  const rssFile = path.join(path.dirname(probe), `rss-${process.hrtime.bigint()}.txt`);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        ...env,
        NO_COLOR: '1',
        FOOTPRINT_RSS_FILE: rssFile,
        NODE_OPTIONS: `--import=${probe}`,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const maxRssKiB = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
      resolve({ code, ms, maxRssKiB, stderr });
    });
  });
}

/** 24 months of half-hourly readings, plus a 100,000-row file for the import figure. */
export function writeCsv(file: string, rows: number, stepMinutes: number, start: Date): void {
  const out: string[] = ['timestamp,value,unit'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(start.getTime() + i * stepMinutes * 60_000);
    const hour = t.getUTCHours();
    const kwh = (hour >= 7 && hour < 22 ? 0.9 : 0.35) + ((i * 7919) % 100) / 1000;
    out.push(`${t.toISOString()},${kwh.toFixed(3)},kWh`);
  }
  fs.writeFileSync(file, `${out.join('\n')}\n`);
}

async function startDaemon(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'daemon'], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('the daemon did not start in 60 s')), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('serving the embedded database')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code}) before serving: ${seen.slice(-300)}`));
    });
  });
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await done;
}

const HISTORY_ROWS = 24 * 30.5 * 48;

const QUERIES: { label: string; args: string[] }[] = [
  { label: '--help', args: ['--help'] },
  { label: 'keys generate', args: ['keys', 'generate'] },
  { label: 'buildings list', args: ['buildings', 'list'] },
  { label: 'stats --period month (24 months)', args: ['stats', '--period', 'month'] },
  { label: 'report', args: ['report', '--month', '2026-10'] },
];

export async function run(print: Print): Promise<void> {
  if (!fs.existsSync(path.resolve(path.dirname(BIN), '..', 'dist', 'cli.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  await withTempDir('footprint', async (dir) => {
    const probe = writeProbe(dir);
    const env = { KOPROGO_IOT_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '' };
    const history = path.join(dir, 'history.csv');
    const big = path.join(dir, 'big.csv');
    writeCsv(history, HISTORY_ROWS, 30, new Date('2024-11-01T00:00:00Z'));
    writeCsv(big, 100_000, 15, new Date('2020-01-01T00:00:00Z'));
    progress('creating the building and importing 24 months');
    const setup = [
      ['buildings', 'add', 'Footprint', '--timezone', 'Europe/Brussels'],
      ['import', history, '--building', 'Footprint'],
    ];
    const sizes: number[] = [];
    for (const args of setup) {
      const r = await measure(args, env, probe);
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.trim()}`);
      sizes.push(dirBytes(env.KOPROGO_IOT_DATA_DIR));
    }
    const wal = dirBytes(path.join(env.KOPROGO_IOT_DATA_DIR, 'pgdata', 'pg_wal'));
    const mib = (n: number) => `${fixed(n / 1048576, 1)} MiB`;
    figure(
      print,
      'data directory: empty / after 24 months half-hourly',
      `${mib(sizes[0]!)} / ${mib(sizes[1]!)} (WAL ${mib(wal)}; ${HISTORY_ROWS} rows, not yet compressed)`,
    );
    const row = (label: string, r: Measured, mode: string) =>
      figure(
        print,
        `${label}, ${mode}`,
        `${fixed(r.maxRssKiB / 1024, 0)} MiB peak RSS, ${fixed(r.ms / 1000, 2)} s`,
        r.code === 0 ? '' : `exit ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`,
      );
    for (const q of QUERIES) row(q.label, await measure(q.args, env, probe), 'no daemon');
    row(
      'import 100,000 rows',
      await measure(['import', big, '--building', 'Footprint', '--dry-run'], env, probe),
      'no daemon (dry run)',
    );
    progress('starting a daemon on the same data directory');
    const daemon = await startDaemon(env);
    try {
      for (const q of QUERIES)
        row(q.label, await measure(q.args, env, probe), 'through the daemon');
      row(
        'import 100,000 rows',
        await measure(['import', big, '--building', 'Footprint', '--dry-run'], env, probe),
        'through the daemon (dry run)',
      );
    } finally {
      await stopDaemon(daemon);
    }
  });
  for (const step of [30, 15]) {
    progress(`one meter-year at ${step}-minute steps`);
    const d = await withTempDir('footprint-disk-probe', async (dir) =>
      measureDiskPerMeterYear(step, (args, env) => measure(args, env, writeProbe(dir)), writeCsv),
    );
    const mib = (n: number) => fixed(n / 1048576, 1);
    figure(
      print,
      `disk per meter-year, ${step}-minute readings (${d.rows} rows)`,
      `${mib(d.importedBytes - d.emptyBytes)} MiB imported, ${mib(d.compressedBytes - d.emptyBytes)} MiB once compressed (WAL apart; empty ${mib(d.emptyBytes)} MiB)`,
    );
  }
  // The engine keeps only the baseline WebAssembly compiler by default; the second run is the
  // daemon with V8's optimising compiler too (node --no-liftoff-only), for comparison.
  for (const [label, nodeArgs] of [
    ['baseline compiler (default)', []],
    ['optimising compiler (--no-liftoff-only)', ['--no-liftoff-only']],
  ] as const) {
    backfillProgress(label);
    const r = await withTempDir('footprint-daemon', (dir) =>
      measureDaemonBackfill(BIN, dir, label, nodeArgs),
    );
    figure(print, `daemon RSS, 5-meter backfill, ${label}`, describeBackfill(r));
  }
}
