/**
 * Benchmark of issue 2: rows per second of the bulk upsert (`upsertReadings`, arrays through
 * unnest) against the seed's loop (one INSERT … ON CONFLICT DO NOTHING per reading), on the
 * embedded database and on the server, with the same readings; then the same rows upserted
 * again, which must change nothing.
 */
import { addBuilding } from '../../src/db/buildings.js';
import { upsertReadings } from '../../src/db/readings.js';
import type { Database, Queryable } from '../../src/db/types.js';
import type { Reading } from '../../src/domain/readings.js';
import { openBenchDatabase, type BenchEngine } from './benchDatabases.js';
import { deadline, figure, fixed, int, progress, timed, type Print } from './common.js';
import { halfHourlyMeter, halfHourlyReadings } from './readingsData.js';

export const SERIES = 10;
export const ROWS_PER_SERIES = 20_000;
/** Rows the per-row loop inserts: its rate is extrapolated from this slice. */
export const PER_ROW_SLICE: Record<BenchEngine, number> = {
  embedded: 5_000,
  'embedded-memory': 5_000,
  server: 20_000,
};
const FROM_MS = Date.UTC(2024, 0, 1);
const NOW_MS = Date.UTC(2026, 0, 1);

/** The seed's statement: one reading, its own INSERT, duplicates ignored. */
const PER_ROW_SQL = `INSERT INTO iot_readings (building_id, device_ref, metric_type, device_type, unit, source,
                          "timestamp", interval_seconds, value)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`;

/** The same 200,000 readings for any building: 10 meters × 20,000 half-hours. */
export function ingestReadings(buildingId: string): Reading[] {
  const out: Reading[] = [];
  for (let s = 0; s < SERIES; s++) {
    const meter = halfHourlyMeter(s, NOW_MS);
    for (const r of halfHourlyReadings(
      { buildingId, deviceRef: meter.prm, meter },
      FROM_MS,
      ROWS_PER_SERIES,
    ))
      out.push(r);
  }
  return out;
}

/** Interleaves the series so a slice holds every meter, as a sync of many meters writes. */
function interleaved(rows: readonly Reading[]): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i < ROWS_PER_SERIES; i++)
    for (let s = 0; s < SERIES; s++) {
      const r = rows[s * ROWS_PER_SERIES + i];
      if (r) out.push(r);
    }
  return out;
}

async function perRowLoop(
  db: Database,
  rows: readonly Reading[],
  check: () => void,
): Promise<number> {
  return db.transaction(async (tx: Queryable) => {
    let n = 0;
    for (const r of rows) {
      const res = await tx.query(PER_ROW_SQL, [
        r.buildingId,
        r.deviceRef,
        r.metricType,
        r.deviceType,
        r.unit,
        r.source,
        r.timestamp.toISOString(),
        r.intervalSeconds,
        r.value,
      ]);
      n += res.rowCount;
      if (n % 1000 === 0) check();
    }
    return n;
  });
}

async function countRows(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM iot_readings');
  return Number(r.rows[0]?.n ?? 0);
}

export interface IngestFigures {
  engine: BenchEngine;
  perRowRate: number;
  bulkRate: number;
  reRate: number;
  reChanged: number;
}

async function benchEngine(print: Print, engine: BenchEngine): Promise<IngestFigures | null> {
  const opened = await openBenchDatabase(engine);
  if ('skipped' in opened) {
    print(`\n  ${engine}: skipped: ${opened.skipped}`);
    return null;
  }
  const { db } = opened;
  const check = deadline(10, `ingest on ${engine}`);
  try {
    print(`\n  ${opened.label}`);
    const building = await addBuilding(db, 'Bench ingest', 'Europe/Paris');
    const rows = ingestReadings(building.id);
    const slice = interleaved(rows).slice(0, PER_ROW_SLICE[engine]);

    progress(`${engine}: per-row loop on ${int(slice.length)} rows`);
    const loop = await timed(() => perRowLoop(db, slice, check));
    const perRowRate = (loop.value / loop.ms) * 1000;
    figure(
      print,
      `per-row INSERT loop (${int(slice.length)}-row slice, 1 transaction)`,
      `${int(perRowRate)} rows/s`,
      `${fixed(loop.ms / 1000, 2)} s`,
    );
    await db.exec('TRUNCATE iot_readings');
    check();

    progress(`${engine}: bulk upsert of ${int(rows.length)} rows`);
    const bulk = await timed(() => upsertReadings(db, rows));
    const bulkRate = (rows.length / bulk.ms) * 1000;
    figure(
      print,
      `bulk upsert (${int(rows.length)} rows into an empty table)`,
      `${int(bulkRate)} rows/s`,
      `${fixed(bulk.ms / 1000, 2)} s, ${int(bulk.value)} rows written`,
    );
    check();

    progress(`${engine}: upserting the same rows again`);
    const again = await timed(() => upsertReadings(db, rows));
    const reRate = (rows.length / again.ms) * 1000;
    figure(
      print,
      're-upsert of the same rows',
      `${int(reRate)} rows/s`,
      `${fixed(again.ms / 1000, 2)} s`,
    );
    figure(print, 'rows changed by the re-upsert', `${int(again.value)} rows`);
    figure(print, 'rows stored', `${int(await countRows(db))} rows`);
    check();

    // Inside one transaction (as import and each sync window write): one connection, so
    // the statements run one after another.
    await db.exec('TRUNCATE iot_readings');
    progress(`${engine}: bulk upsert of ${int(rows.length)} rows inside one transaction`);
    const inTx = await timed(() => db.transaction((tx) => upsertReadings(tx, rows)));
    figure(
      print,
      'bulk upsert inside one transaction',
      `${int((rows.length / inTx.ms) * 1000)} rows/s`,
      `${fixed(inTx.ms / 1000, 2)} s, ${int(inTx.value)} rows written`,
    );
    figure(print, 'bulk / per-row', `${fixed(bulkRate / perRowRate, 1)} ×`);
    return { engine, perRowRate, bulkRate, reRate, reChanged: again.value };
  } finally {
    await opened.close();
  }
}

export async function run(
  print: Print,
  engines: BenchEngine[] = ['embedded', 'server'],
): Promise<void> {
  print(
    `  data: ${SERIES} meters × ${int(ROWS_PER_SERIES)} half-hourly readings = ${int(SERIES * ROWS_PER_SERIES)} rows (load-model values)`,
  );
  print(
    '  per-row loop: the seed\'s "INSERT … VALUES ($1…$9) ON CONFLICT DO NOTHING", one statement per reading,',
  );
  print(
    '  all inside one transaction (fairer to it than autocommit); its rate is extrapolated from the slice.',
  );
  print('  bulk: upsertReadings() (unnest, 20,000 rows per statement, two statements at once on a');
  print('  server pool, autocommit); then the same inside one transaction (one connection).');
  print('  aim: ≥ 150,000 rows/s on the server, ≥ 50,000 rows/s embedded, ≥ 20× the per-row loop.');
  for (const e of engines) await benchEngine(print, e);
}
