/**
 * The demonstration end to end, on a throwaway embedded database: start the provider
 * simulator, link a meter through the real loopback consent flow (an HTTP client follows the
 * redirects in place of a browser), backfill a year of half-hourly load curve, detect
 * anomalies. Returns the open database so the caller can print the report from it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { addDays, localDayOf } from '../analytics/periods.js';
import { resolveConfig, type Config } from '../config.js';
import { addBuilding, type Building } from '../db/buildings.js';
import type { DeviceWithBuilding } from '../db/devices.js';
import { openDatabase, type OpenedDatabase } from '../db/open.js';
import { linkMeter } from '../link/linkMeter.js';
import { checkAnomalies, type CheckResult } from '../notify/checkAnomalies.js';
import { deliverPending } from '../notify/outbox.js';
import { startSimulator, type Simulator } from '../simulator/server.js';
import { createSyncEnv } from '../sync/syncEnv.js';
import { syncDevices } from '../sync/syncDevices.js';
import type { DeviceSyncResult } from '../sync/syncDevice.js';
import type { Logger } from '../ui/logger.js';
import type { SyncProgress } from '../sync/syncEnv.js';
import { reportOfBuilding, type MonthlyReport } from '../services/report.js';
import { statsOfBuilding, type StatsResult } from '../services/stats.js';

export interface DemoOptions {
  /** Where to keep the demo database (default: a new temporary directory). */
  dataDir?: string;
  /** Days of history to backfill (default 365). */
  days?: number;
  log: Logger;
  say: (line: string) => void;
  progress?: SyncProgress & { done(): void };
  signal?: AbortSignal;
  seed?: number;
  /** The clock (default: the real one). */
  now?: () => Date;
}

export interface DemoRun {
  dataDir: string;
  demoKey: string;
  config: Config;
  db: OpenedDatabase;
  sim: Simulator;
  building: Building;
  device: DeviceWithBuilding;
  sync: DeviceSyncResult;
  anomalies: CheckResult;
  /** The last complete month's report and the monthly statistics, as the demo shows them. */
  report: MonthlyReport;
  monthly: StatsResult;
  timings: { linkMs: number; syncMs: number; detectMs: number };
  /** Closes the database and stops the simulator. */
  close(): Promise<void>;
}

/** A browser stand-in: GET the consent page and follow its redirects to the loopback listener. */
export async function followRedirects(url: string): Promise<void> {
  const res = await fetch(url, { redirect: 'follow' });
  await res.text();
}

export async function runDemo(o: DemoOptions): Promise<DemoRun> {
  const dataDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-demo-'));
  const demoKey = randomBytes(32).toString('hex');
  const now = o.now ?? (() => new Date());
  const sim = await startSimulator({ seed: o.seed ?? 42 });
  let db: OpenedDatabase | null = null;
  try {
    // Only the demo's own settings: the user's DATABASE_URL and config file are left out.
    const env: Record<string, string | undefined> = {
      HOME: process.env.HOME,
      IOT_ENCRYPTION_KEY: demoKey,
      KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'koprogo-demo-secret',
    };
    const config = resolveConfig(
      {
        defaults: { timeZone: 'Europe/Paris' },
        providers: {
          enedis: { baseUrl: sim.url, clientId: 'koprogo-demo' },
          ores: { baseUrl: sim.url, clientId: 'koprogo-demo' },
        },
        sync: { concurrency: 1 },
      },
      env,
      { dataDir },
      null,
    );
    db = await openDatabase(config, { command: 'koprogo-iot demo' });
    const building = await addBuilding(db, 'Résidence Les Tilleuls', 'Europe/Paris');
    o.say(`1/4  building "${building.name}" (Europe/Paris) in ${dataDir}`);

    let t = Date.now();
    const device = await linkMeter(db, config, {
      provider: 'enedis',
      building: building.id,
      openUrl: followRedirects,
      timeoutMs: 30_000,
      log: o.log,
      signal: o.signal,
    });
    const linkMs = Date.now() - t;
    o.say(
      `2/4  meter ${device.prm} linked through the Enedis consent flow (loopback listener, ${linkMs} ms)`,
    );

    const days = o.days ?? 365;
    const today = localDayOf(now(), 'Europe/Paris');
    t = Date.now();
    const syncEnv = createSyncEnv({
      db,
      config,
      log: o.log,
      env,
      signal: o.signal,
      progress: o.progress,
    });
    const [sync] = await syncDevices(
      syncEnv,
      { deviceIds: [device.id], dueOnly: false },
      { fromDay: addDays(today, -days) },
    );
    o.progress?.done();
    const syncMs = Date.now() - t;
    if (!sync) throw new Error('the demo meter was not synced');
    o.say(
      `3/4  ${sync.synced_readings} half-hourly readings backfilled (${days} days, ${sync.calls} provider calls, ${(syncMs / 1000).toFixed(1)} s)`,
    );

    t = Date.now();
    const anomalies = await checkAnomalies(db, config, {
      buildingId: building.id,
      timeZone: building.timezone,
      deviceRef: device.prm,
      metricType: 'electricity_consumption',
      days,
      now: now(),
      log: o.log,
    });
    const detectMs = Date.now() - t;
    const delivered = await deliverPending(db, config, { log: o.log });
    o.say(
      `4/4  ${anomalies.detected} anomalies detected over the year (profile method), stored once; ` +
        `${delivered.sent} alert(s) sent to the log channel`,
    );
    const opened = db;
    const metricType = 'electricity_consumption';
    const report = await reportOfBuilding({ db, now }, building, { metricType });
    const monthly = await statsOfBuilding({ db, now }, building, { period: 'month', metricType });
    return {
      dataDir,
      demoKey,
      config,
      db: opened,
      sim,
      building,
      device,
      sync,
      anomalies,
      report,
      monthly,
      timings: { linkMs, syncMs, detectMs },
      async close() {
        await opened.close().catch(() => {});
        await sim.close().catch(() => {});
      },
    };
  } catch (e) {
    await db?.close().catch(() => {});
    await sim.close().catch(() => {});
    throw e;
  }
}
