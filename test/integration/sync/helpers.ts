/**
 * Shared pieces of the sync tests: a simulator on a fixed clock, a Config pointed at it with
 * short histories and fast limits, meters registered straight into the database, the sync
 * environment with short backoffs, and the ground truth of what a sync must store.
 */
import { randomUUID } from 'node:crypto';
import { resolveConfig, type Config } from '../../../src/config.js';
import { addBuilding } from '../../../src/db/buildings.js';
import {
  insertDevice,
  storeDeviceTokens,
  type DeviceWithBuilding,
} from '../../../src/db/devices.js';
import type { Database, Queryable } from '../../../src/db/types.js';
import { sealingKey } from '../../../src/link/keyring.js';
import { addDays, localDayOf, localDayStart } from '../../../src/analytics/periods.js';
import { intervalKwh, meterIntervals, type SimMeter } from '../../../src/simulator/loadModel.js';
import {
  startSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../src/simulator/server.js';
import { createSyncEnv, type SyncEnv, type SyncEnvOptions } from '../../../src/sync/syncEnv.js';
import { createLogger, type Logger } from '../../../src/ui/logger.js';

/** "Now" of the simulator and of the sync: today is 2026-11-24 in Paris and Brussels. */
export const NOW = new Date('2026-11-24T12:00:00Z');
export const TODAY = '2026-11-24';
export const KEY = 'c'.repeat(64);
export const ORES_CLIENT = 'ores-app';

export function startTestSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ port: 0, seed: 11, now: () => NOW, ...opts });
}

/** A simulator clock that starts at NOW and runs at the real pace (tokens then expire). */
export function runningClock(): () => Date {
  const t0 = Date.now();
  return () => new Date(NOW.getTime() + (Date.now() - t0));
}

export interface ConfigOptions {
  historyDays?: number;
  enedisPerSecond?: number;
  oresIntervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  concurrency?: number;
  overlapDays?: number;
}

/** The tool's configuration aimed at the simulator. */
export function syncConfig(sim: Simulator, o: ConfigOptions = {}): Config {
  const history = o.historyDays ?? 14;
  const timeoutMs = o.timeoutMs ?? 10_000;
  return resolveConfig(
    {
      providers: {
        enedis: {
          baseUrl: sim.url,
          historyDays: history,
          timeoutMs,
          rateLimit: { perSecond: o.enedisPerSecond ?? 5, perHour: 100_000 },
        },
        ores: {
          baseUrl: sim.url,
          historyDays: history,
          timeoutMs,
          rateLimit: { perDeviceIntervalMs: o.oresIntervalMs ?? 1 },
        },
      },
      sync: {
        retries: o.retries ?? 3,
        concurrency: o.concurrency ?? 4,
        overlapDays: o.overlapDays ?? 3,
      },
    },
    testEnv(),
    {},
    null,
  );
}

export function testEnv(): Record<string, string> {
  return {
    IOT_ENCRYPTION_KEY: KEY,
    KOPROGO_IOT_ENEDIS_CLIENT_ID: 'app-id',
    KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'app-secret',
    KOPROGO_IOT_ORES_CLIENT_ID: ORES_CLIENT,
  };
}

/** A logger whose lines the test can read. */
export function quietLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    stream: { write: (s: string) => lines.push(s) },
    json: true,
    level: 'debug',
    color: false,
  });
  return { log, lines };
}

export function makeSyncEnv(
  db: Database,
  config: Config,
  extra: Partial<SyncEnvOptions> = {},
): SyncEnv {
  return createSyncEnv({
    db,
    config,
    log: quietLogger().log,
    env: testEnv(),
    minBackoffMs: 5,
    maxRateLimitWaitMs: 5_000,
    ...extra,
  });
}

let buildingSeq = 0;

export async function newBuilding(db: Queryable, timezone = 'Europe/Paris'): Promise<string> {
  return (await addBuilding(db, `Résidence ${++buildingSeq} ${randomUUID().slice(0, 8)}`, timezone))
    .id;
}

/** Registers simulated meters as linked devices (ORES meters with a fresh sealed token pair). */
export async function registerMeters(
  db: Queryable,
  sim: Simulator,
  buildingId: string,
  meters: SimMeter[],
  opts: { oresTokenTtlMs?: number } = {},
): Promise<DeviceWithBuilding[]> {
  const out: DeviceWithBuilding[] = [];
  for (const m of meters) {
    const id = randomUUID();
    out.push(await insertDevice(db, { id, buildingId, prm: m.prm, provider: m.provider }));
    if (m.provider === 'ores') {
      const pair = sim.issueOresTokens(m.prm);
      await storeDeviceTokens(
        db,
        id,
        {
          accessToken: pair.access_token,
          refreshToken: pair.refresh_token,
          expiresAt: new Date(Date.now() + (opts.oresTokenTtlMs ?? pair.expires_in * 1000)),
        },
        sealingKey(KEY),
      );
    }
  }
  return out;
}

export interface Row {
  prm: string;
  metric: string;
  ts: string;
  secs: number;
  kwh: number;
}

/** Every stored reading, in a stable order. */
export async function storedRows(db: Queryable, prms?: string[]): Promise<Row[]> {
  const r = await db.query<{
    device_ref: string;
    metric_type: string;
    timestamp: Date;
    interval_seconds: number;
    value: number;
  }>(
    `SELECT device_ref, metric_type, "timestamp", interval_seconds, value FROM iot_readings
      ${prms ? 'WHERE device_ref = ANY($1::text[])' : ''}
      ORDER BY device_ref, metric_type, "timestamp"`,
    prms ? [prms] : [],
  );
  return r.rows.map((x) => ({
    prm: x.device_ref,
    metric: x.metric_type,
    ts: new Date(x.timestamp).toISOString(),
    secs: x.interval_seconds,
    kwh: Number(x.value),
  }));
}

/** What the simulator's load model says the meter consumed in [fromDay, toDay[ (local days). */
export function expectedRows(meter: SimMeter, fromDay: string, toDay: string, zone: string): Row[] {
  const from = localDayStart(fromDay, zone).getTime();
  const to = localDayStart(toDay, zone).getTime();
  return meterIntervals(meter, from, to).map((iv) => ({
    prm: meter.prm,
    metric: 'electricity_consumption',
    ts: new Date(iv.startMs).toISOString(),
    secs: iv.stepMinutes * 60,
    kwh: intervalKwh(meter, iv.startMs, iv.stepMinutes),
  }));
}

/** The days a full sync covers with `historyDays` of history: [first, today[. */
export function historyRange(historyDays: number): { fromDay: string; toDay: string } {
  return { fromDay: addDays(TODAY, -historyDays + 1), toDay: TODAY };
}

export function countByLocalDay(rows: Row[], zone: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) {
    const d = localDayOf(new Date(r.ts), zone);
    m.set(d, (m.get(d) ?? 0) + 1);
  }
  return m;
}

export interface RunRow {
  device_id: string;
  prm: string;
  daemon_id: string | null;
  status: string;
  calls: number;
  readings_written: number;
  gaps: number;
  error_class: string | null;
  error_message: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export async function syncRuns(db: Queryable, prm?: string): Promise<RunRow[]> {
  const r = await db.query<RunRow>(
    `SELECT device_id, prm, daemon_id, status, calls, readings_written, gaps, error_class, error_message, started_at, finished_at
       FROM sync_runs ${prm ? 'WHERE prm = $1' : ''} ORDER BY id`,
    prm ? [prm] : [],
  );
  return r.rows;
}

export async function gapDays(db: Queryable, deviceId: string): Promise<string[]> {
  const r = await db.query<{ day: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day FROM sync_gaps WHERE device_id = $1 ORDER BY day`,
    [deviceId],
  );
  return r.rows.map((x) => x.day);
}

/** Data calls the simulator answered (both providers' load curves). */
export function loadCurveCalls(sim: Simulator): number {
  const calls = sim.stats().calls;
  return Object.entries(calls)
    .filter(([path]) => /load_curve|courbe_de_charge/.test(path))
    .reduce((n, [, c]) => n + c, 0);
}
