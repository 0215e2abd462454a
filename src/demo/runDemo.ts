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
import { parseKeyring } from '../auth/vault.js';
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
import { DEMO_BUILDINGS, DEMO_TARIFFS, FRENCH_DEMO_BUILDING } from './demoTariffs.js';
import { runP1Demo, type P1DemoResult } from './p1Building.js';

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
  /** The Belgian P1 building, or null when no MQTT broker answered on 127.0.0.1:1883. */
  p1: P1DemoResult | null;
  timings: { linkMs: number; syncMs: number; detectMs: number; p1Ms: number | null };
  /** Closes the database and stops the simulator. */
  close(): Promise<void>;
}

/** A browser stand-in: GET the consent page and follow its redirects to the loopback listener. */
export async function followRedirects(url: string): Promise<void> {
  const res = await fetch(url, { redirect: 'follow' });
  await res.text();
}

const ZONE = 'Europe/Paris';

/** Only the demo's own settings: the user's DATABASE_URL and config file are left out. */
function demoConfig(sim: Simulator, dataDir: string, demoKey: string) {
  const env: Record<string, string | undefined> = {
    HOME: process.env.HOME,
    IOT_ENCRYPTION_KEY: demoKey,
    KOPROGO_IOT_ENEDIS_CLIENT_SECRET: 'koprogo-demo-secret',
  };
  const config = resolveConfig(
    {
      defaults: { timeZone: ZONE },
      providers: {
        enedis: { baseUrl: sim.url, clientId: 'koprogo-demo' },
        ores: { baseUrl: sim.url, clientId: 'koprogo-demo' },
      },
      sync: { concurrency: 1 },
      tariffs: DEMO_TARIFFS,
      buildings: DEMO_BUILDINGS,
    },
    env,
    { dataDir },
    null,
  );
  return { config, env };
}

/** Milliseconds `fn` took, with its result. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

interface DemoSetup {
  db: OpenedDatabase;
  config: Config;
  env: Record<string, string | undefined>;
  building: Building;
  now: () => Date;
}

/** Backfills `days` days of the demo meter's load curve. */
async function backfill(
  options: DemoOptions,
  setup: DemoSetup,
  device: DeviceWithBuilding,
  days: number,
) {
  const syncEnv = createSyncEnv({
    db: setup.db,
    config: setup.config,
    log: options.log,
    env: setup.env,
    signal: options.signal,
    progress: options.progress,
  });
  const today = localDayOf(setup.now(), ZONE);
  const [sync] = await syncDevices(
    syncEnv,
    { deviceIds: [device.id], dueOnly: false },
    { fromDay: addDays(today, -days) },
  );
  options.progress?.done();
  if (!sync) throw new Error('the demo meter was not synced');
  return sync;
}

/** Link, backfill, detect: the steps the demo shows, each said on stderr as it ends. */
async function demoSteps(options: DemoOptions, setup: DemoSetup) {
  const { db, config, building } = setup;
  options.say(`1/4  building "${building.name}" (${ZONE}) in ${options.dataDir}`);
  const link = await timed(() =>
    linkMeter(db, config, {
      provider: 'enedis',
      building: building.id,
      openUrl: followRedirects,
      timeoutMs: 30_000,
      log: options.log,
      signal: options.signal,
    }),
  );
  const device = link.value;
  options.say(
    `2/4  meter ${device.prm} linked through the Enedis consent flow (loopback listener, ${link.ms} ms)`,
  );
  const days = options.days ?? 365;
  const sync = await timed(() => backfill(options, setup, device, days));
  options.say(
    `3/4  ${sync.value.synced_readings} half-hourly readings backfilled (${days} days, ${sync.value.calls} provider calls, ${(sync.ms / 1000).toFixed(1)} s)`,
  );
  const detection = await timed(() =>
    checkAnomalies(db, config, {
      buildingId: building.id,
      timeZone: building.timezone,
      deviceRef: device.prm,
      metricType: 'electricity_consumption',
      days,
      now: setup.now(),
      log: options.log,
    }),
  );
  const delivered = await deliverPending(db, config, { log: options.log });
  options.say(
    `4/4  ${detection.value.detected} anomalies detected over the year (profile method), stored once; ` +
      `${delivered.sent} alert(s) sent to the log channel`,
  );
  return {
    device,
    sync: sync.value,
    anomalies: detection.value,
    timings: { linkMs: link.ms, syncMs: sync.ms, detectMs: detection.ms },
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoRun> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-demo-'));
  const demoKey = randomBytes(32).toString('hex');
  const now = options.now ?? (() => new Date());
  const sim = await startSimulator({ seed: options.seed ?? 42 });
  let db: OpenedDatabase | null = null;
  try {
    const { config, env } = demoConfig(sim, dataDir, demoKey);
    db = await openDatabase(config, { command: 'koprogo-iot demo' });
    const opened = db;
    const building = await addBuilding(db, FRENCH_DEMO_BUILDING, ZONE);
    const steps = await demoSteps({ ...options, dataDir }, { db, config, env, building, now });
    const metricType = 'electricity_consumption';
    const report = await reportOfBuilding({ db, now, config }, building, { metricType });
    const monthly = await statsOfBuilding({ db, now, config }, building, {
      period: 'month',
      metricType,
    });
    const p1 = await runP1Demo({
      db,
      config,
      log: options.log,
      keyring: () => parseKeyring(demoKey),
      say: options.say,
      now,
    });
    if (p1)
      options.say(
        `BE   P1 meter ${p1.link.device.prm} linked over MQTT (link --provider p1 --mqtt), ` +
          `${p1.telegrams} telegrams of ${p1.days} simulated days streamed into ` +
          `${p1.quarterHours} quarter-hours (${(p1.ms / 1000).toFixed(1)} s)`,
      );
    return {
      dataDir,
      demoKey,
      config,
      db: opened,
      sim,
      building,
      ...steps,
      report,
      monthly,
      p1,
      timings: { ...steps.timings, p1Ms: p1?.ms ?? null },
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
