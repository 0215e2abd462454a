/**
 * Soak: three `koprogo-iot daemon` processes on one PostgreSQL database, 20 simulated
 * meters behind provider faults (20 % 500/503, 429s, slow answers), daemons killed -9 and
 * restarted at random for BENCH_SOAK_MINUTES (default 5), on a one-minute cycle
 * (sync.schedule.everyMinutes). Then the daemons run undisturbed until every meter has
 * synced since the last kill, and the bench counts: stored readings against the simulator's
 * ground truth, syncs per meter and cycle, alerts received by a local webhook per
 * Idempotency-Key, and calls the simulator refused for being over its quota.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { localDayOf, localDayStart } from '../../src/analytics/periods.js';
import { addBuilding } from '../../src/db/buildings.js';
import { insertDevice, storeDeviceTokens } from '../../src/db/devices.js';
import { migrate } from '../../src/db/migrate.js';
import { openServerDatabase } from '../../src/db/server.js';
import type { Database } from '../../src/db/types.js';
import { sealingKey } from '../../src/link/keyring.js';
import { intervalKwh, meterIntervals, type SimMeter } from '../../src/simulator/loadModel.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { earliestDay } from '../../src/sync/windows.js';
import {
  createServerDatabase,
  figure,
  findServer,
  fixed,
  int,
  progress,
  tempDir,
  type Print,
} from './common.js';

const BIN = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'bin',
  'koprogo-iot',
);
const DAEMONS = 3;
const ENEDIS_METERS = 14;
const ORES_METERS = 6;
const HISTORY_DAYS = 60;
/** The simulator's Enedis application quota (its default). */
const ENEDIS_PER_SECOND = 5;
const CYCLE_MINUTES = 1;
const KEY = 'd'.repeat(64);
const FAULTS = { rate500: 0.1, rate503: 0.1, rate429: 0.05, latencyMs: 150 };
const ZONE = { enedis: 'Europe/Paris', ores: 'Europe/Brussels' } as const;
/** After the chaos, how long the daemons get to catch up before the bench gives up. */
const SETTLE_BUDGET_MS = 5 * 60_000;

/** Meters whose data covers the whole history (no activation date inside it). */
function meters(sim: Simulator): SimMeter[] {
  const out: SimMeter[] = [];
  for (const [provider, count] of [
    ['enedis', ENEDIS_METERS],
    ['ores', ORES_METERS],
  ] as const) {
    const first = localDayStart(
      earliestDay(localDayOf(new Date(), ZONE[provider]), HISTORY_DAYS + 2),
      ZONE[provider],
    ).getTime();
    let found = 0;
    for (let tries = 0; found < count && tries < count * 8; tries++) {
      const m = sim.createMeters(provider, 1)[0];
      if (m && m.activationDate.getTime() <= first) {
        out.push(m);
        found++;
      }
    }
    if (found < count) throw new Error(`the simulator gave only ${found} ${provider} meters`);
  }
  return out;
}

async function linkMeters(db: Database, sim: Simulator, ms: SimMeter[]): Promise<void> {
  const b = await addBuilding(db, 'Résidence du Parc', 'Europe/Brussels');
  for (const m of ms) {
    const id = randomUUID();
    await insertDevice(db, { id, buildingId: b.id, prm: m.prm, provider: m.provider });
    if (m.provider !== 'ores') continue;
    const pair = sim.issueOresTokens(m.prm);
    await storeDeviceTokens(
      db,
      id,
      {
        accessToken: pair.access_token,
        refreshToken: pair.refresh_token,
        expiresAt: new Date(Date.now() + pair.expires_in * 1000),
      },
      sealingKey(KEY),
    );
  }
}

/** The alert receiver: every POST counted under its Idempotency-Key. */
async function startReceiver(): Promise<{
  url: string;
  keys: Map<string, number>;
  close(): Promise<void>;
}> {
  const keys = new Map<string, number>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? '(none)');
      keys.set(key, (keys.get(key) ?? 0) + 1);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    keys,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function writeConfig(dir: string, simUrl: string, hookUrl: string): string {
  const rule = (condition: string, percent: number, severity: string) => ({
    metric_type: 'electricity_consumption',
    condition,
    threshold_type: 'percent',
    threshold_percent: percent,
    severity,
    channels: ['hook'],
  });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      providers: {
        // The per-second window is kept by each process's limiter (only the hourly count is
        // shared through the database): each daemon takes its share of the 5 calls/s.
        enedis: {
          baseUrl: simUrl,
          historyDays: HISTORY_DAYS,
          timeoutMs: 5000,
          rateLimit: { perSecond: ENEDIS_PER_SECOND / DAEMONS, perHour: 1000 },
        },
        ores: { baseUrl: simUrl, historyDays: HISTORY_DAYS, timeoutMs: 5000 },
      },
      sync: {
        concurrency: 4,
        retries: 3,
        leaseSeconds: 30,
        schedule: { everyMinutes: CYCLE_MINUTES },
      },
      alerts: {
        rules: [rule('above_baseline', 150, 'minor'), rule('night_baseload', 130, 'minor')],
      },
      notifications: { channels: { hook: { type: 'webhook', url: hookUrl, timeoutMs: 5000 } } },
    }),
  );
  return file;
}

interface Fleet {
  running: Array<ChildProcess | null>;
  start(i: number): void;
  kill9(i: number): void;
  stopAll(): Promise<void>;
}

function fleet(dir: string, env: Record<string, string>): Fleet {
  const running: Array<ChildProcess | null> = Array.from({ length: DAEMONS }, () => null);
  const start = (i: number) => {
    const log = fs.openSync(path.join(dir, `daemon-${i}.log`), 'a');
    running[i] = spawn(process.execPath, [BIN, 'daemon', '--poll-minutes', '1'], {
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
  };
  const exited = (c: ChildProcess) =>
    c.exitCode !== null || c.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => c.once('exit', () => r()));
  return {
    running,
    start,
    kill9(i) {
      running[i]?.kill('SIGKILL');
      running[i] = null;
    },
    async stopAll() {
      const all = running.filter((c): c is ChildProcess => c !== null);
      for (const c of all) c.kill('SIGTERM');
      const forced = setTimeout(() => all.forEach((c) => c.kill('SIGKILL')), 30_000);
      await Promise.all(all.map(exited));
      clearTimeout(forced);
    },
  };
}

/** kill -9 one daemon at random every 5-30 s and start it again 0-5 s later, until `end`. */
async function chaos(f: Fleet, end: number): Promise<number> {
  let kills = 0;
  while (Date.now() < end) {
    await sleep(5000 + Math.random() * 25_000);
    if (Date.now() >= end) break;
    const i = Math.floor(Math.random() * DAEMONS);
    f.kill9(i);
    kills++;
    await sleep(Math.random() * 5000);
    f.start(i);
  }
  return kills;
}

/** Every meter synced successfully after `since`, no gap left, no alert waiting. */
async function settled(db: Database, since: Date): Promise<boolean> {
  const r = await db.query<{ behind: number; gaps: number; waiting: number }>(
    `SELECT (SELECT count(*)::int FROM linky_devices d WHERE NOT EXISTS (
               SELECT 1 FROM sync_runs r WHERE r.device_id = d.id AND r.status = 'success'
                  AND r.started_at > $1)) AS behind,
            (SELECT count(*)::int FROM sync_gaps) AS gaps,
            (SELECT count(*)::int FROM notifications WHERE status IN ('pending', 'sending')) AS waiting`,
    [since.toISOString()],
  );
  const x = r.rows[0];
  return !!x && x.behind === 0 && x.gaps === 0 && x.waiting === 0;
}

function truthKeys(
  ms: SimMeter[],
  firstDay: Record<string, string>,
  endDay: Record<string, string>,
) {
  const truth = new Map<string, number>();
  for (const m of ms) {
    const zone = ZONE[m.provider as keyof typeof ZONE];
    const from = localDayStart(firstDay[zone] as string, zone).getTime();
    const to = localDayStart(endDay[zone] as string, zone).getTime();
    for (const iv of meterIntervals(m, from, to))
      truth.set(`${m.prm} ${iv.startMs}`, intervalKwh(m, iv.startMs, iv.stepMinutes));
  }
  return truth;
}

async function readingFigures(db: Database, truth: Map<string, number>, from: Date, to: Date) {
  const r = await db.query<{ device_ref: string; timestamp: Date; value: number; n: number }>(
    `SELECT device_ref, "timestamp", min(value) AS value, count(*)::int AS n FROM iot_readings
      WHERE metric_type = 'electricity_consumption' AND "timestamp" >= $1 AND "timestamp" < $2
      GROUP BY device_ref, "timestamp"`,
    [from.toISOString(), to.toISOString()],
  );
  let extra = 0;
  let duplicate = 0;
  let wrong = 0;
  const seen = new Set<string>();
  for (const row of r.rows) {
    const key = `${row.device_ref} ${new Date(row.timestamp).getTime()}`;
    if (row.n > 1) duplicate += row.n - 1;
    const want = truth.get(key);
    if (want === undefined) extra++;
    else {
      seen.add(key);
      if (Math.abs(Number(row.value) - want) > 1e-6) wrong++;
    }
  }
  return { stored: r.rows.length, missing: truth.size - seen.size, extra, duplicate, wrong };
}

async function runFigures(db: Database) {
  const r = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM sync_runs GROUP BY status ORDER BY status`,
  );
  // A meter "synced" in a cycle when a run reached the provider's data (success, partial,
  // no_data); cycles are the schedule's slots on the wall clock.
  const slots = await db.query<{ twice: number; once: number }>(
    `SELECT count(*) FILTER (WHERE n > 1)::int AS twice, count(*) FILTER (WHERE n = 1)::int AS once
       FROM (SELECT device_id, floor(extract(epoch FROM started_at) / $1) AS slot, count(*) AS n
               FROM sync_runs WHERE status IN ('success', 'partial', 'no_data')
              GROUP BY 1, 2) s`,
    [CYCLE_MINUTES * 60],
  );
  // The cycles after the backfill (every meter's first successful sync), but the last,
  // which the stop may cut: each meter should have a run in each of them.
  const missed = await db.query<{ missed: number; cycles: number }>(
    `WITH firsts AS (
       SELECT device_id, min(floor(extract(epoch FROM started_at) / $1)) AS slot
         FROM sync_runs WHERE status = 'success' GROUP BY device_id),
     bounds AS (
       SELECT (SELECT max(slot) FROM firsts) + 1 AS first,
              floor(extract(epoch FROM max(started_at)) / $1) - 1 AS last FROM sync_runs),
     grid AS (SELECT d.id, s.slot FROM linky_devices d, bounds,
                generate_series(bounds.first::bigint, bounds.last::bigint) AS s(slot))
     SELECT count(*) FILTER (WHERE NOT EXISTS (
              SELECT 1 FROM sync_runs r WHERE r.device_id = grid.id
                 AND floor(extract(epoch FROM r.started_at) / $1) = grid.slot))::int AS missed,
            count(DISTINCT slot)::int AS cycles
       FROM grid`,
    [CYCLE_MINUTES * 60],
  );
  return {
    byStatus: r.rows,
    twice: slots.rows[0]?.twice ?? 0,
    once: slots.rows[0]?.once ?? 0,
    missed: missed.rows[0]?.missed ?? 0,
    cycles: missed.rows[0]?.cycles ?? 0,
  };
}

async function alertFigures(db: Database, keys: Map<string, number>) {
  const r = await db.query<{ id: string; channel: string; status: string }>(
    `SELECT id::text, channel, status FROM notifications`,
  );
  const sent = r.rows.filter((n) => n.status === 'sent');
  const expected = new Set(sent.map((n) => `${n.id}-${n.channel}`));
  return {
    queued: r.rows.length,
    sent: sent.length,
    notSent: r.rows.length - sent.length,
    posts: [...keys.values()].reduce((a, b) => a + b, 0),
    distinctKeys: keys.size,
    repeatedKeys: [...keys.values()].filter((n) => n > 1).length,
    neverReceived: [...expected].filter((k) => !keys.has(k)).length,
    unknownKeys: [...keys.keys()].filter((k) => !expected.has(k)).length,
  };
}

export async function run(print: Print): Promise<void> {
  const server = await findServer();
  if (!server.url) {
    print(`  skipped: ${server.reason}`);
    return;
  }
  const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? 5);
  if (!(minutes > 0)) throw new Error('BENCH_SOAK_MINUTES must be a positive number');
  const keepLogs = process.env.BENCH_SOAK_KEEP_LOGS === '1';
  const tmp = keepLogs
    ? { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-soak-')), remove: () => {} }
    : tempDir('soak');
  const created = await createServerDatabase(server.url);
  const refused = { enedis: 0, ores: 0 };
  const sim = await startSimulator({
    port: 0,
    seed: 97,
    faults: FAULTS,
    log: (line) => {
      if (!/ 429$/.test(line)) return;
      if (/\/v1\/(consumption|production)_load_curve/.test(line)) refused.ores++;
      else refused.enedis++;
    },
  });
  const receiver = await startReceiver();
  const db = await openServerDatabase(created.url);
  let f: Fleet | null = null;
  try {
    await migrate(db);
    const ms = meters(sim);
    await linkMeters(db, sim, ms);
    const env = {
      DATABASE_URL: created.url,
      KOPROGO_IOT_CONFIG: writeConfig(tmp.dir, sim.url, receiver.url),
      KOPROGO_IOT_DATA_DIR: path.join(tmp.dir, 'data'),
      HOME: tmp.dir,
      XDG_CONFIG_HOME: path.join(tmp.dir, 'xdg'),
      XDG_DATA_HOME: path.join(tmp.dir, 'xdg'),
      IOT_ENCRYPTION_KEY: KEY,
      KOPROGO_IOT_ENEDIS_CLIENT_ID: 'soak-app',
      KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'soak-secret',
      KOPROGO_IOT_ORES_CLIENT_ID: 'soak-ores',
    };
    const firstDay = {
      [ZONE.enedis]: earliestDay(localDayOf(new Date(), ZONE.enedis), HISTORY_DAYS),
      [ZONE.ores]: earliestDay(localDayOf(new Date(), ZONE.ores), HISTORY_DAYS),
    };
    const fl = fleet(tmp.dir, env);
    f = fl;
    const t0 = Date.now();
    for (let i = 0; i < DAEMONS; i++) fl.start(i);
    progress(`${DAEMONS} daemons, ${ms.length} meters, kill -9 at random for ${minutes} min`);
    const kills = await chaos(fl, t0 + minutes * 60_000);
    const chaosEnd = new Date();
    progress(
      `${kills} kills; letting the daemons catch up (at most ${SETTLE_BUDGET_MS / 60_000} min)`,
    );
    let ok = false;
    while (!ok && Date.now() - chaosEnd.getTime() < SETTLE_BUDGET_MS) {
      await sleep(10_000);
      ok = await settled(db, chaosEnd);
    }
    const settleS = (Date.now() - chaosEnd.getTime()) / 1000;
    await fl.stopAll();
    f = null;

    const endDay = {
      [ZONE.enedis]: localDayOf(new Date(), ZONE.enedis),
      [ZONE.ores]: localDayOf(new Date(), ZONE.ores),
    };
    const truth = truthKeys(ms, firstDay, endDay);
    const from = localDayStart(firstDay[ZONE.enedis] as string, ZONE.enedis);
    const to = localDayStart(endDay[ZONE.enedis] as string, ZONE.enedis);
    const rd = await readingFigures(db, truth, from, to);
    const runs = await runFigures(db);
    const al = await alertFigures(db, receiver.keys);
    const st = sim.stats();
    const over = st.rateLimited - st.faults['429'];

    figure(print, 'soak time with kill -9 (min)', String(minutes));
    figure(
      print,
      'daemons / meters (Enedis + ORES)',
      `${DAEMONS} / ${ms.length}`,
      `${ENEDIS_METERS} + ${ORES_METERS}, ${HISTORY_DAYS} days`,
    );
    figure(print, 'kill -9 of a daemon', int(kills));
    figure(
      print,
      'catch-up after the last kill (s)',
      int(settleS),
      ok ? 'all synced' : 'NOT settled in budget',
    );
    figure(
      print,
      'provider requests / injected 500, 503, 429, slow',
      `${int(st.requests)} / ${st.faults['500']}, ${st.faults['503']}, ${st.faults['429']}, all +${FAULTS.latencyMs} ms`,
    );
    figure(print, 'readings expected (ground truth)', int(truth.size));
    figure(print, 'readings stored', int(rd.stored));
    figure(
      print,
      'missing / extra / duplicate / wrong value',
      `${rd.missing} / ${rd.extra} / ${rd.duplicate} / ${rd.wrong}`,
    );
    figure(print, 'sync runs by status', runs.byStatus.map((s) => `${s.status} ${s.n}`).join(', '));
    figure(print, 'cycles after the backfill (one-minute slots)', int(runs.cycles));
    figure(print, 'meter-cycles synced once / twice or more', `${runs.once} / ${runs.twice}`);
    figure(
      print,
      'meter-cycles without any run',
      int(runs.missed),
      'should be 0: each meter has a run in each cycle',
    );
    figure(print, 'alerts queued / sent / not sent', `${al.queued} / ${al.sent} / ${al.notSent}`);
    figure(print, 'webhook POSTs / distinct Idempotency-Keys', `${al.posts} / ${al.distinctKeys}`);
    figure(
      print,
      'keys received twice or more / sent but never received / unknown',
      `${al.repeatedKeys} / ${al.neverReceived} / ${al.unknownKeys}`,
    );
    figure(
      print,
      'calls refused by the simulator as over quota',
      int(over),
      `its 429s minus the injected ones; all 429s: Enedis ${refused.enedis}, ORES ${refused.ores}`,
    );
    figure(print, 'Enedis calls/s allowed to each daemon', fixed(ENEDIS_PER_SECOND / DAEMONS, 2));
    if (keepLogs) figure(print, 'daemon logs in', tmp.dir);
  } finally {
    await f?.stopAll();
    await db.close().catch(() => {});
    await receiver.close();
    await sim.close();
    await created.drop().catch(() => {});
    tmp.remove();
  }
}
