/**
 * Benchmark of issue 5 (2): latency of `stats --period month` over 24 months for one
 * building, with 100 buildings × 24 months of half-hourly readings loaded (3.5 M rows), on
 * the embedded database (after the daily aggregate's refresh, as the daemon's maintenance
 * does) and on the server.
 */
import { addDays, localDayOf, localDayStart } from '../../src/analytics/periods.js';
import { statsOfBuilding } from '../../src/services/stats.js';
import { addBuilding, type Building } from '../../src/db/buildings.js';
import { upsertReadings } from '../../src/db/readings.js';
import { AGGREGATE_ZONE, dailySource } from '../../src/db/stats.js';
import type { Database } from '../../src/db/types.js';
import { addMonths } from '../../src/simulator/euTime.js';
import { openBenchDatabase, type BenchEngine } from './benchDatabases.js';
import { deadline, figure, fixed, int, percentile, progress, timed, type Print } from './common.js';
import { halfHourlyMeter, halfHourlyReadings, halfHoursBetween } from './readingsData.js';

const BUILDINGS = 100;
const WARMUPS = 10;
const RUNS = 200;
/** Stop timing after this long even if the runs are not all done (and say so). */
const TIMING_BUDGET_MS = 4 * 60_000;

interface Range {
  fromDay: string;
  today: string;
  fromMs: number;
  toMs: number;
}

function range(now: Date): Range {
  const today = localDayOf(now, AGGREGATE_ZONE);
  const fromDay = addMonths(today, -24);
  return {
    fromDay,
    today,
    fromMs: localDayStart(fromDay, AGGREGATE_ZONE).getTime(),
    toMs: localDayStart(today, AGGREGATE_ZONE).getTime(),
  };
}

/** Adds the buildings, each with one meter's 24 months; returns them and the load time. */
async function load(
  db: Database,
  r: Range,
  engine: string,
  check: () => void,
): Promise<{ buildings: Building[]; rows: number; ms: number }> {
  const buildings: Building[] = [];
  const perSeries = halfHoursBetween(r.fromMs, r.toMs);
  let rows = 0;
  let ms = 0;
  for (let i = 0; i < BUILDINGS; i++) {
    const b = await addBuilding(
      db,
      `Bench building ${String(i + 1).padStart(3, '0')}`,
      AGGREGATE_ZONE,
    );
    buildings.push(b);
    const meter = halfHourlyMeter(i, r.toMs);
    const readings = halfHourlyReadings(
      { buildingId: b.id, deviceRef: meter.prm, meter },
      r.fromMs,
      perSeries,
    );
    const t = await timed(() => upsertReadings(db, readings));
    rows += t.value;
    ms += t.ms;
    if ((i + 1) % 10 === 0)
      progress(`${engine}: loaded ${i + 1}/${BUILDINGS} buildings (${int(rows)} rows)`);
    check();
  }
  return { buildings, rows, ms };
}

async function latencies(
  db: Database,
  b: Building,
  r: Range,
  warmups: number,
  runs: number,
): Promise<{ sorted: number[]; periods: number }> {
  // `stats --period month --from FROM --to TODAY`: local days, the last one included.
  const query = {
    period: 'month' as const,
    metricType: 'electricity_consumption' as const,
    dates: (zone: string) => ({
      from: localDayStart(r.fromDay, zone),
      to: localDayStart(addDays(r.today, 1), zone),
    }),
  };
  const statsForBuilding = () => statsOfBuilding({ db, now: () => new Date() }, b, query);
  let periods = 0;
  for (let i = 0; i < warmups; i++) periods = (await statsForBuilding()).data_points.length;
  const times: number[] = [];
  const stopAt = performance.now() + TIMING_BUDGET_MS;
  for (let i = 0; i < runs && performance.now() < stopAt; i++)
    times.push((await timed(() => statsForBuilding())).ms);
  return { sorted: times.sort((x, y) => x - y), periods };
}

function latencyFigures(
  print: Print,
  label: string,
  l: { sorted: number[]; periods: number },
  runs: number,
): void {
  const s = l.sorted;
  const note = `${s.length} runs${s.length < runs ? ` of ${runs} (time budget)` : ''}, ${l.periods} monthly points`;
  figure(
    print,
    `${label} p50 / p99 / max`,
    `${fixed(percentile(s, 50), 1)} / ${fixed(percentile(s, 99), 1)} / ${fixed(s[s.length - 1] ?? NaN, 1)} ms`,
    note,
  );
}

async function materializedRows(db: Database): Promise<number | null> {
  const m = await db.query<{ schema: string; name: string }>(
    `SELECT materialization_hypertable_schema AS schema, materialization_hypertable_name AS name
       FROM timescaledb_information.continuous_aggregates WHERE view_name = 'iot_readings_daily'`,
  );
  const row = m.rows[0];
  if (!row) return null;
  const c = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${row.schema}"."${row.name}"`,
  );
  return Number(c.rows[0]?.n ?? 0);
}

async function benchEngine(print: Print, engine: BenchEngine): Promise<void> {
  const opened = await openBenchDatabase(engine);
  if ('skipped' in opened) {
    print(`\n  ${engine}: skipped: ${opened.skipped}`);
    return;
  }
  const { db } = opened;
  const check = deadline(20, `stats on ${engine}`);
  try {
    print(`\n  ${opened.label}`);
    const r = range(new Date());
    const loaded = await load(db, r, engine, check);
    figure(
      print,
      `loaded ${BUILDINGS} buildings × 24 months (upsertReadings)`,
      `${int(loaded.rows)} rows`,
      `${fixed(loaded.ms / 1000, 1)} s, ${int((loaded.rows / loaded.ms) * 1000)} rows/s`,
    );
    const analyze = await timed(() => db.exec('ANALYZE iot_readings'));
    figure(print, 'ANALYZE iot_readings (as autovacuum would)', `${fixed(analyze.ms / 1000, 1)} s`);
    const target = loaded.buildings[Math.floor(BUILDINGS / 2)] as Building;
    print(
      `  query: statsForBuilding(period month, ${r.fromDay} … ${r.today}) for "${target.name}"`,
    );

    if (opened.timescale) {
      // As the daemon's maintenance does; each stats query also refreshes its own range, which
      // is then cheap (nothing left to materialise), so the first query does not pay for it.
      progress(`${engine}: CALL refresh_continuous_aggregate`);
      const refresh = await timed(() =>
        db.exec(`CALL refresh_continuous_aggregate('iot_readings_daily', NULL, NULL)`),
      );
      figure(
        print,
        'refresh_continuous_aggregate(iot_readings_daily)',
        `${fixed(refresh.ms / 1000, 1)} s`,
      );
      const mat = await materializedRows(db);
      figure(
        print,
        'daily aggregate rows materialized',
        mat === null ? 'not a continuous aggregate' : `${int(mat)} rows`,
      );
    }
    const source = await dailySource(db, target.timezone);
    print(
      `  path taken: ${source === 'aggregate' ? 'the continuous aggregate iot_readings_daily' : 'readings grouped by local day (no TimescaleDB)'}`,
    );
    check();
    progress(`${engine}: ${WARMUPS} warm-ups and ${RUNS} timed runs`);
    latencyFigures(
      print,
      `stats --period month (${WARMUPS} warm-ups)`,
      await latencies(db, target, r, WARMUPS, RUNS),
      RUNS,
    );
  } finally {
    await opened.close();
  }
}

export async function run(
  print: Print,
  engines: BenchEngine[] = ['embedded', 'server'],
): Promise<void> {
  print(
    `  data: ${BUILDINGS} buildings (${AGGREGATE_ZONE}) × 1 meter × 24 months of half-hourly readings (load-model values)`,
  );
  print(
    '  embedded: temporary data directory (in memory, PGlite would hold 3.5 M rows in the process).',
  );
  print(
    `  timing: ${WARMUPS} warm-ups then ${RUNS} runs of statsForBuilding in this process. Aim: p99 < 50 ms on the server.`,
  );
  for (const e of engines) await benchEngine(print, e);
}
