/**
 * `npm run bench [-- NAME…]`: runs every benchmark in turn, or those named, and prints each
 * figure with its unit on stdout (progress goes to stderr). It measures and reports; it never
 * asserts. A bench that fails is reported and the others still run.
 */
import os from 'node:os';
import { fixed, type Print } from './common.js';
import { run as runFootprint } from './footprint.js';
import { run as runImport } from './importBench.js';
import { run as runIngest } from './ingest.js';
import { run as runOnboarding } from './onboarding.js';
import { run as runP1 } from './p1.js';
import { run as runSoak } from './soak.js';
import { run as runStats } from './stats.js';
import { run as runSync } from './sync.js';

interface Bench {
  name: string;
  title: string;
  run(print: Print): Promise<void>;
  /** Minutes long: runs only when named (`npm run bench -- soak`). */
  onlyWhenNamed?: boolean;
}

/** The detection bench is optional: run it when its module is there. */
async function runDetection(print: Print): Promise<void> {
  const href = new URL('./detection.js', import.meta.url).href;
  let mod: { run?: (p: Print) => Promise<void> };
  try {
    mod = (await import(href)) as typeof mod;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      print('  skipped: test/bench/detection.ts is not there');
      return;
    }
    throw e;
  }
  if (typeof mod.run !== 'function') {
    print('  skipped: test/bench/detection.ts exports no run(print)');
    return;
  }
  await mod.run(print);
}

const BENCHES: Bench[] = [
  {
    name: 'ingest',
    title: 'Ingest: bulk upsert vs one INSERT per reading (issue 2)',
    run: runIngest,
  },
  {
    name: 'sync',
    title: 'Sync: wall time against the provider quota, memory of a backfill (issue 4)',
    run: runSync,
  },
  {
    name: 'stats',
    title: 'Stats: `stats --period month` over 24 months, 100 buildings loaded (issue 5 (2))',
    run: runStats,
  },
  {
    name: 'import',
    title: 'Import: a streamed CSV import of growing size, one transaction (issue 9 (10))',
    run: runImport,
  },
  {
    name: 'detection',
    title: 'Detection quality: profile vs moving-average (issue 5 (1))',
    run: runDetection,
  },
  {
    name: 'footprint',
    title:
      'Footprint: peak RSS and wall time of CLI commands, with and without a daemon (issue 15)',
    run: runFootprint,
  },
  {
    name: 'onboarding',
    title:
      'Onboarding: 100 Enedis meters linked at once under 5/s and 1,000/h, two processes (issue 13)',
    run: runOnboarding,
  },
  {
    name: 'p1',
    title:
      'P1: telegrams parsed per second, quarter-hour accumulation, daemon RSS with 20 meters (issue 12)',
    run: runP1,
  },
  {
    name: 'soak',
    title:
      'Soak: three daemons on one server, provider faults, kill -9 at random; readings, cycles, alerts, quota (issue 9)',
    run: runSoak,
    onlyWhenNamed: true,
  },
];

function machine(print: Print): void {
  const cpus = os.cpus();
  print(
    `machine: ${cpus.length} CPU${cpus.length === 1 ? '' : 's'} (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
      `${fixed(os.totalmem() / 1024 ** 3, 1)} GiB RAM, node ${process.version}, ${os.platform()} ${os.arch()}`,
  );
  if (!(globalThis as { gc?: unknown }).gc)
    print('note: node runs without --expose-gc; memory figures include uncollected garbage');
}

async function main(): Promise<void> {
  const print: Print = (line) => process.stdout.write(`${line}\n`);
  const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown bench: ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}\n`,
    );
    process.exitCode = 2;
    return;
  }
  const chosen =
    wanted.length > 0
      ? BENCHES.filter((b) => wanted.includes(b.name))
      : BENCHES.filter((b) => !b.onlyWhenNamed);
  machine(print);
  const started = performance.now();
  const failed: string[] = [];
  for (const b of chosen) {
    print(`\n== ${b.name}: ${b.title}`);
    const t0 = performance.now();
    try {
      await b.run(print);
    } catch (e) {
      failed.push(b.name);
      print(`  FAILED: ${(e as Error).message}`);
      if (process.env.DEBUG === '1') process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    }
    print(`  (${b.name}: ${fixed((performance.now() - t0) / 1000, 1)} s)`);
  }
  print(`\ntotal run time: ${fixed((performance.now() - started) / 1000, 1)} s`);
  // A bench that broke is not a figure: say so in the exit code, for scripts.
  if (failed.length > 0) process.exitCode = 1;
}

await main();
