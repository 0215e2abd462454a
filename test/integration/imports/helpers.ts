/** Shared pieces of the import tests: a building in a fresh database, and reading a series back. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addBuilding } from '../../../src/db/buildings.js';
import { listReadings, type StoredReading } from '../../../src/db/readings.js';
import type { Database } from '../../../src/db/types.js';
import { importReadings, type ImportRequest } from '../../../src/services/importReadings.js';

export const FIXTURES = path.resolve('test/fixtures/imports');
export const NOW = new Date('2026-11-01T00:00:00Z');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

export async function building(db: Database, name: string, zone = 'Europe/Brussels') {
  return addBuilding(db, name, zone);
}

export function runImportOf(
  db: Database,
  buildingName: string,
  file: string,
  more: Partial<ImportRequest> = {},
) {
  return importReadings(db, { file, format: 'auto', building: buildingName, now: NOW, ...more });
}

export async function series(
  db: Database,
  buildingId: string,
  deviceRef: string,
  metricType?: StoredReading['metric_type'],
): Promise<StoredReading[]> {
  return listReadings(
    db,
    {
      buildingId,
      deviceRef,
      from: new Date('2000-01-01T00:00:00Z'),
      to: new Date('2100-01-01T00:00:00Z'),
      ...(metricType ? { metricType: metricType as never } : {}),
    },
    1,
    1000,
  );
}

const dirs: string[] = [];

/** A file in a fresh temporary directory; removeTempFiles() removes them all. */
export function tempFile(name: string, text: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-import-'));
  dirs.push(dir);
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

export function removeTempFiles(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
