/**
 * Benchmark of `import` (issue 9, item 10): files of growing size go through the streamed
 * import (parse → stage in batches → one INSERT … SELECT, in one transaction). Prints rows
 * per second, the time of each phase, and peak memory: the JS heap must stay flat whatever
 * the file's size (the database's own memory is in the RSS figure).
 */
import fs from 'node:fs';
import path from 'node:path';
import { addBuilding } from '../../src/db/buildings.js';
import {
  appendStagedReadings,
  createImportStaging,
  inferStagedIntervals,
  removeStagedDuplicates,
  upsertStagedReadings,
} from '../../src/db/readings.js';
import { readImportFile } from '../../src/imports/readImportFile.js';
import { importReadings } from '../../src/services/importReadings.js';
import { openBenchDatabase } from './benchDatabases.js';
import {
  collectGarbage,
  figure,
  fixed,
  int,
  mib,
  progress,
  withTempDir,
  type Print,
} from './common.js';

const SIZES = (process.env.BENCH_IMPORT_ROWS ?? '100000,300000,1000000').split(',').map(Number);
/** Early enough that a million quarter-hours (28.5 years) stay in the past. */
const START = Date.UTC(1990, 0, 1);
/** Phases are timed apart on the first size when it is at most this large. */
const PHASES_UP_TO = 300_000;

/** A semicolon file with decimal commas, one quarter-hour per row. */
function writeCsv(file: string, rows: number): void {
  const fd = fs.openSync(file, 'w');
  let chunk = 'timestamp;value\n';
  for (let i = 0; i < rows; i++) {
    chunk += `${new Date(START + i * 900_000).toISOString()};${((i % 97) / 100).toFixed(2).replace('.', ',')}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

/** Samples peak RSS and heap while fn runs. */
async function peaks<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; rss: number; heap: number; ms: number }> {
  collectGarbage();
  let rss = 0;
  let heap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 50);
  const t0 = performance.now();
  try {
    const value = await fn();
    sample();
    return { value, rss, heap, ms: performance.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}

/** The phases of one import, timed apart (the same steps as the service). */
async function phases(
  db: Parameters<typeof importReadings>[0],
  file: string,
  buildingId: string,
  print: Print,
) {
  await db.transaction(async (tx) => {
    const lap = (() => {
      let t = performance.now();
      return (label: string) => {
        const now = performance.now();
        figure(print, `    ${label}`, `${fixed((now - t) / 1000, 1)} s`);
        t = now;
      };
    })();
    await createImportStaging(tx);
    const info = { format: 'csv' as const, meter: undefined, source: 'import', notes: [] };
    for await (const b of readImportFile(
      file,
      'auto',
      { now: new Date(), timeZone: 'Europe/Brussels' },
      info,
    ))
      await appendStagedReadings(tx, b.rows);
    lap('parse + stage');
    await removeStagedDuplicates(tx, 100);
    lap('duplicates');
    await inferStagedIntervals(tx, 100);
    lap('interval lengths');
    await upsertStagedReadings(tx, {
      buildingId,
      deviceRef: 'phases',
      source: 'import',
      deviceTypes: { electricity_consumption: 'electricity_meter' },
    });
    lap('insert … select');
  });
}

export async function run(print: Print): Promise<void> {
  await withTempDir('import', async (dir) => {
    for (const rows of SIZES) {
      const file = path.join(dir, `rows-${rows}.csv`);
      writeCsv(file, rows);
      const opened = await openBenchDatabase('embedded');
      if ('skipped' in opened) return print(`  skipped: ${opened.skipped}`);
      try {
        const b = await addBuilding(opened.db, `import ${rows}`, 'Europe/Brussels');
        progress(
          `importing ${int(rows)} rows (${mib(fs.statSync(file).size)}) into ${opened.label}`,
        );
        const r = await peaks(() =>
          importReadings(opened.db, {
            file,
            format: 'auto',
            building: b.name,
            now: new Date(),
            deviceRef: 'bench',
          }),
        );
        print(`  ${int(rows)} rows (${mib(fs.statSync(file).size)} CSV), ${opened.label}:`);
        figure(print, '    rows written', int(r.value.written));
        figure(
          print,
          '    import wall time',
          `${fixed(r.ms / 1000, 1)} s`,
          `${int(rows / (r.ms / 1000))} rows/s`,
        );
        figure(print, '    peak JS heap during import', mib(r.heap));
        figure(print, '    peak RSS during import', mib(r.rss), 'includes the embedded database');
        if (rows === SIZES[0] && rows <= PHASES_UP_TO) await phases(opened.db, file, b.id, print);
      } finally {
        await opened.close();
        fs.rmSync(file, { force: true });
      }
    }
  });
}
