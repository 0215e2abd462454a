/**
 * The daemon's memory with 20 P1 meters: the built `koprogo-iot daemon` runs on an embedded
 * database holding 20 linked P1 meters, each fed one telegram per second over the Mosquitto
 * broker of 127.0.0.1:1883 by its own simulated meter (real time). The daemon's RSS (from
 * /proc) is printed at intervals, so one sees whether it stays flat. BENCH_P1_MINUTES sets
 * the duration (default 10).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addBuilding } from '../../src/db/buildings.js';
import { insertDevice } from '../../src/db/devices.js';
import { openEmbeddedDatabase } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { insertP1Meter } from '../../src/db/p1Meters.js';
import {
  startP1Simulator,
  type RunningP1Simulator,
} from '../../src/simulator/p1/startP1Simulator.js';
import { figure, fixed, int, mib, progress, withTempDir, type Print } from './common.js';

const METERS = 20;
const BROKER = 'mqtt://127.0.0.1:1883';

function bin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'bin', 'koprogo-iot'))) dir = path.dirname(dir);
  return path.join(dir, 'bin', 'koprogo-iot');
}

/** Resident set size of a process, from /proc (Linux), in bytes. */
function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

async function linkMeters(dataDir: string, prefix: string): Promise<string[]> {
  const db = await openEmbeddedDatabase(dataDir, { command: 'bench p1' });
  try {
    await migrate(db);
    const b = await addBuilding(db, 'Bench P1', 'Europe/Brussels');
    const topics: string[] = [];
    for (let i = 0; i < METERS; i++) {
      const id = randomUUID();
      const topic = `${prefix}/meter-${i}`;
      await insertDevice(db, {
        id,
        buildingId: b.id,
        prm: `1SAGBENCH${prefix}${i}`,
        provider: 'p1',
      });
      await insertP1Meter(
        db,
        { deviceId: id, connection: { kind: 'mqtt', url: BROKER, topic }, header: null },
        null,
      );
      topics.push(topic);
    }
    return topics;
  } finally {
    await db.close();
  }
}

async function startDaemon(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin(), 'daemon'], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('the daemon did not start in 60 s')), 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if ((seen.match(/listening to P1 meter/g) ?? []).length >= METERS) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the daemon exited (${code}): ${seen.slice(-300)}`));
    });
  });
  return child;
}

async function countStored(dataDir: string): Promise<{ readings: number; accepted: number }> {
  const db = await openEmbeddedDatabase(dataDir, { command: 'bench p1' });
  try {
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM iot_readings`);
    const a = await db.query<{ n: number }>(
      `SELECT coalesce(sum(telegrams_accepted), 0)::int AS n FROM p1_meters`,
    );
    return { readings: r.rows[0]?.n ?? 0, accepted: a.rows[0]?.n ?? 0 };
  } finally {
    await db.close();
  }
}

export async function runDaemonMemory(print: Print): Promise<void> {
  const minutes = Number(process.env.BENCH_P1_MINUTES ?? 10);
  if (!(minutes > 0)) throw new Error(`BENCH_P1_MINUTES must be a positive number of minutes`);
  await withTempDir('p1daemon', async (dir) => {
    const dataDir = path.join(dir, 'data');
    const prefix = randomBytes(4).toString('hex');
    const topics = await linkMeters(dataDir, prefix);
    progress(`starting the daemon with ${METERS} P1 meters`);
    const daemon = await startDaemon({ KOPROGO_IOT_DATA_DIR: dataDir, DATABASE_URL: '' });
    const sims: RunningP1Simulator[] = [];
    try {
      for (const [i, topic] of topics.entries())
        sims.push(await startP1Simulator({ seed: i + 1, mqtt: { url: BROKER, topic } }));
      const pid = daemon.pid as number;
      const samples: { atS: number; rss: number }[] = [{ atS: 0, rss: rssOf(pid) }];
      const everyMs = Math.min(60_000, (minutes * 60_000) / 10);
      const t0 = Date.now();
      while (Date.now() - t0 < minutes * 60_000) {
        await new Promise((r) => setTimeout(r, everyMs));
        const s = { atS: Math.round((Date.now() - t0) / 1000), rss: rssOf(pid) };
        samples.push(s);
        progress(`  ${s.atS} s: daemon RSS ${mib(s.rss)}`);
      }
      for (const s of samples)
        figure(print, `daemon RSS after ${fixed(s.atS / 60, 1)} min`, mib(s.rss));
      const settled = samples[Math.min(2, samples.length - 1)] as { rss: number };
      const last = samples[samples.length - 1] as { rss: number };
      figure(
        print,
        'daemon RSS growth after the first samples',
        mib(last.rss - settled.rss),
        `${METERS} meters × 1 telegram/s for ${fixed(minutes, 1)} min`,
      );
      const sent = sims.reduce((a, s) => a + s.counts().sent, 0);
      await Promise.all(sims.map((s) => s.stop()));
      sims.length = 0;
      const done = new Promise<void>((resolve) => daemon.once('exit', () => resolve()));
      daemon.kill('SIGTERM');
      await done;
      const stored = await countStored(dataDir);
      figure(
        print,
        'telegrams sent / accepted by the daemon',
        `${int(sent)} / ${int(stored.accepted)}`,
      );
      figure(
        print,
        'readings stored',
        int(stored.readings),
        'quarter-hours × 3 metrics, gas every 5 min',
      );
    } finally {
      await Promise.all(sims.map((s) => s.stop()));
      if (daemon.exitCode === null) daemon.kill('SIGTERM');
    }
  });
}
