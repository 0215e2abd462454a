/**
 * The demo's Belgian building: a simulated Fluvius meter publishing its P1 telegrams on the
 * MQTT broker of 127.0.0.1:1883, linked as a user links one (`link --provider p1 --mqtt`),
 * then three simulated days streamed fast into the daemon's P1 listener. Without a broker the
 * building is skipped, said in one line.
 *
 * The meter is simulated twice from the same seed and start: once at a telegram per second
 * while the link listens and the daemon's listener subscribes, then fast. Both runs send the
 * same telegrams, so the fast run's first ones are duplicates the listener ignores.
 */
import { DateTime } from 'luxon';
import type { Keyring } from '../auth/vault.js';
import { addBuilding, type Building } from '../db/buildings.js';
import type { Database } from '../db/types.js';
import type { Config } from '../config.js';
import { linkP1Meter, p1ConnectionFromFlags, type P1LinkResult } from '../services/p1Link.js';
import { reportOfBuilding, type MonthlyReport } from '../services/report.js';
import { statsOfBuilding, type StatsResult } from '../services/stats.js';
import { startP1Simulator, type RunningP1Simulator } from '../simulator/p1/startP1Simulator.js';
import { startP1Meters } from '../sync/p1Meters.js';
import type { Logger } from '../ui/logger.js';
import { BELGIAN_DEMO_BUILDING } from './demoTariffs.js';

export const P1_DEMO_BROKER = 'mqtt://127.0.0.1:1883';
const ZONE = 'Europe/Brussels';
const DAYS = 3;
const INTERVAL_S = 60;
const SEED = 7;

export interface P1DemoResult {
  building: Building;
  /** The month's report: bill estimate and capacity peak under the demo contract. */
  report: MonthlyReport;
  link: P1LinkResult;
  telegrams: number;
  days: number;
  quarterHours: number;
  /** The month's peak as the meter stated it (1-0:1.6.0). */
  peak: { month: string; kw: number; at: Date | null } | null;
  daily: StatsResult;
  totals: { offtakeKwh: number; injectionKwh: number; gasM3: number };
  ms: number;
}

export interface P1DemoOptions {
  db: Database;
  config: Config;
  log: Logger;
  keyring: () => Keyring;
  say: (line: string) => void;
  now: () => Date;
}

async function until(pred: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function totals(db: Database, buildingId: string, prm: string) {
  const r = await db.query<{ metric_type: string; total: number; n: number }>(
    `SELECT metric_type, sum(value) AS total, count(*)::int AS n FROM iot_readings
      WHERE building_id = $1 AND device_ref = $2 GROUP BY metric_type`,
    [buildingId, prm],
  );
  const of = (m: string) => r.rows.find((x) => x.metric_type === m);
  return {
    quarterHours: of('electricity_consumption')?.n ?? 0,
    offtakeKwh: Number(of('electricity_consumption')?.total ?? 0),
    injectionKwh: Number(of('electricity_production')?.total ?? 0),
    gasM3: Number(of('gas_consumption')?.total ?? 0),
  };
}

async function monthPeak(db: Database, buildingId: string, prm: string) {
  const r = await db.query<{ month: string; kw: number; peak_at: Date | null }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, kw, peak_at FROM meter_peaks
      WHERE building_id = $1 AND device_ref = $2 ORDER BY month DESC LIMIT 1`,
    [buildingId, prm],
  );
  const p = r.rows[0];
  return p ? { month: p.month, kw: p.kw, at: p.peak_at ? new Date(p.peak_at) : null } : null;
}

/** Runs the Belgian building; null (said in one line) when no broker answers. */
export async function runP1Demo(o: P1DemoOptions): Promise<P1DemoResult | null> {
  const started = Date.now();
  const topic = `koprogo-iot-demo/${started.toString(36)}/p1`;
  const end = Math.floor(o.now().getTime() / 60_000) * 60_000;
  const start = end - DAYS * 86_400_000;
  const meter = {
    start,
    intervalSeconds: INTERVAL_S,
    seed: SEED,
    mqtt: { url: P1_DEMO_BROKER, topic },
  };
  let live: RunningP1Simulator;
  try {
    live = await startP1Simulator({ ...meter, speed: INTERVAL_S });
  } catch (e) {
    o.say(
      `     no MQTT broker on 127.0.0.1:1883 (${(e as Error).message}): the Belgian P1 building is skipped`,
    );
    return null;
  }
  let fast: RunningP1Simulator | null = null;
  const meters = startP1Meters({
    db: o.db,
    log: o.log,
    keyring: o.keyring,
    flushMs: 300,
    onStored,
  });
  let accepted = 0;
  let lastAt = 0;
  function onStored(
    _id: string,
    b: { counts: { accepted: number }; latest: { timestamp: number | null } | null },
  ) {
    accepted = b.counts.accepted;
    lastAt = Math.max(lastAt, b.latest?.timestamp ?? 0);
  }
  try {
    const building = await addBuilding(o.db, BELGIAN_DEMO_BUILDING, ZONE);
    const connection = p1ConnectionFromFlags({ mqtt: P1_DEMO_BROKER, topic }, {});
    const link = await linkP1Meter(o, { building: building.id, connection, timeoutMs: 15_000 });
    // The daemon's listener: subscribed once it has stored a telegram of the live run.
    await meters.refresh();
    await until(() => accepted > 0, 15_000);
    await live.stop();
    fast = await startP1Simulator({ ...meter, hours: DAYS * 24, speed: 60_000 });
    await fast.done;
    await until(() => lastAt >= end, 20_000);
    await meters.stop();
    const t = await totals(o.db, building.id, link.device.prm);
    const deps = { db: o.db, now: o.now, config: o.config };
    const daily = await statsOfBuilding(deps, building, {
      period: 'day',
      metricType: 'electricity_consumption',
      device: link.device.prm,
      dates: () => ({ from: new Date(start), to: new Date(end) }),
    });
    // The month the streamed days fall in: its bill estimate and the peak that sets the
    // capacity charge, under the demo's Belgian contract.
    const month = DateTime.fromMillis(start, { zone: ZONE }).toFormat('yyyy-MM');
    const report = await reportOfBuilding(deps, building, {
      metricType: 'electricity_consumption',
      month,
    });
    return {
      report,
      building,
      link,
      telegrams: fast.counts().sent,
      days: DAYS,
      quarterHours: t.quarterHours,
      peak: await monthPeak(o.db, building.id, link.device.prm),
      daily,
      totals: { offtakeKwh: t.offtakeKwh, injectionKwh: t.injectionKwh, gasM3: t.gasM3 },
      ms: Date.now() - started,
    };
  } finally {
    await meters.stop().catch(() => {});
    await live.stop().catch(() => {});
    await fast?.stop().catch(() => {});
  }
}
