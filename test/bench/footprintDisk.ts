/**
 * Disk per meter-year: one year of readings of one meter imported into a fresh embedded data
 * directory (through the CLI), measured before and after TimescaleDB compresses the chunks
 * (the daemon's maintenance jobs, run here in-process), half-hourly and quarter-hourly.
 */
import path from 'node:path';
import { resolveConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/open.js';
import { runMaintenanceJobs } from '../../src/db/timescale.js';
import { withTempDir } from './common.js';
import { dirBytes } from './footprintDaemon.js';

export interface DiskPerMeterYear {
  stepMinutes: number;
  rows: number;
  /** Data directory without the WAL, empty, after the import, after compression. */
  emptyBytes: number;
  importedBytes: number;
  compressedBytes: number;
}

type Run = (
  args: string[],
  env: Record<string, string>,
) => Promise<{ code: number | null; stderr: string }>;
type WriteCsv = (file: string, rows: number, stepMinutes: number, start: Date) => void;

function dataBytes(dataDir: string): number {
  return dirBytes(dataDir) - dirBytes(path.join(dataDir, 'pgdata', 'pg_wal'));
}

export function measureDiskPerMeterYear(
  stepMinutes: number,
  run: Run,
  writeCsv: WriteCsv,
): Promise<DiskPerMeterYear> {
  return withTempDir('footprint-disk', async (dir) => {
    const dataDir = path.join(dir, 'data');
    const env = { KOPROGO_IOT_DATA_DIR: dataDir, DATABASE_URL: '' };
    const rows = (365 * 24 * 60) / stepMinutes;
    // The year that ends two days ago: inside retention, old enough to be compressed.
    const start = new Date(Date.now() - (365 + 2) * 86_400_000);
    start.setUTCHours(0, 0, 0, 0);
    const csv = path.join(dir, 'year.csv');
    writeCsv(csv, rows, stepMinutes, start);
    const steps = [
      ['buildings', 'add', 'Disk', '--timezone', 'Europe/Brussels'],
      ['import', csv, '--building', 'Disk'],
    ];
    const sizes: number[] = [];
    for (const args of steps) {
      const r = await run(args, env);
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.trim()}`);
      sizes.push(dataBytes(dataDir));
    }
    const db = await openDatabase(resolveConfig({}, env, {}, null), { command: 'bench' });
    try {
      for (const j of await runMaintenanceJobs(db))
        if (!j.ok) throw new Error(`maintenance job ${j.job} failed: ${j.error}`);
      await db.exec('CHECKPOINT');
    } finally {
      await db.close();
    }
    return {
      stepMinutes,
      rows,
      emptyBytes: sizes[0]!,
      importedBytes: sizes[1]!,
      compressedBytes: dataBytes(dataDir),
    };
  });
}
