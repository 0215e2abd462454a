/**
 * `import`: reads a file (CSV of several layouts, or a saved provider answer) as a stream,
 * stages its rows in batches inside ONE transaction, checks them there (duplicates, interval
 * lengths) and writes them with one INSERT … SELECT. All or nothing: one bad row and nothing
 * is written, unless skipInvalid; memory stays bounded whatever the file's size.
 */
import { resolveBuilding } from '../db/buildings.js';
import {
  appendStagedReadings,
  createImportStaging,
  inferStagedIntervals,
  removeStagedDuplicates,
  stagedSummary,
  upsertStagedReadings,
} from '../db/readings.js';
import type { Database } from '../db/types.js';
import { InputError } from '../domain/errors.js';
import { METRIC_DEVICE, type DeviceType, type MetricType } from '../domain/readings.js';
import { readImportFile, type FileInfo } from '../imports/readImportFile.js';
import type { ImportFormat, RowError } from '../imports/types.js';

/** Rejected rows kept for the report; the count covers them all. */
const KEPT_ERRORS = 100;

export interface ImportRequest {
  file: string;
  format: ImportFormat | 'auto';
  building?: string;
  defaultBuilding?: string | null;
  deviceRef?: string;
  metric?: MetricType;
  intervalSeconds?: number;
  columns?: Record<string, string>;
  skipInvalid?: boolean;
  dryRun?: boolean;
  now: Date;
  /** Called after each batch with the rows read so far, and with the step under way. */
  onProgress?: (p: { rowsRead: number; step: 'reading' | 'checking' | 'writing' }) => void;
}

export interface ImportResult {
  file: string;
  format: string;
  building: string;
  device_ref: string;
  parsed: number;
  invalid: number;
  written: number;
  unchanged: number;
  invalid_rows: RowError[];
  range: { start: string; end: string } | null;
  notes: string[];
}

/** Local times of each layout: the Belgian portals write Brussels time, Enedis Paris time. */
function zoneFor(format: ImportFormat | 'auto', buildingZone: string): string {
  return format === 'fluvius' || format === 'ores-portal' ? 'Europe/Brussels' : buildingZone;
}

class Errors {
  count = 0;
  kept: RowError[] = [];
  add(e: RowError): void {
    this.count++;
    if (this.kept.length < KEPT_ERRORS) this.kept.push(e);
  }
  /** The first rejected rows by line (each source's list is already in line order). */
  sorted(): RowError[] {
    return [...this.kept].sort((a, b) => a.line - b.line).slice(0, KEPT_ERRORS);
  }
}

class DryRunDone extends Error {
  constructor(readonly result: ImportResult) {
    super('dry run');
  }
}

function refuse(file: string, errors: Errors): InputError {
  const list = errors.sorted();
  const first = list
    .slice(0, 5)
    .map((x) => (x.line > 0 ? `line ${x.line}: ${x.error}` : x.error))
    .join('; ');
  const more = errors.count > 5 ? ` (and ${errors.count - 5} more)` : '';
  return new InputError(`${file}: ${errors.count} invalid row(s): ${first}${more}`, {
    hint: 'nothing was imported; fix the rows or pass --skip-invalid to import the valid ones',
  });
}

/** Stages the file's rows; returns what the file said about itself. */
async function stageFile(
  tx: Parameters<typeof appendStagedReadings>[0],
  req: ImportRequest,
  timeZone: string,
  errors: Errors,
): Promise<FileInfo & { metrics: Set<MetricType>; rowsRead: number }> {
  const info: FileInfo = { format: 'csv', meter: undefined, source: 'import', notes: [] };
  const metrics = new Set<MetricType>();
  const target = {
    now: req.now,
    metric: req.metric,
    intervalSeconds: req.intervalSeconds,
    timeZone: zoneFor(req.format, timeZone),
    columns: req.columns,
  };
  let rowsRead = 0;
  for await (const batch of readImportFile(req.file, req.format, target, info)) {
    for (const e of batch.errors) errors.add(e);
    for (const r of batch.rows) metrics.add(r.metric);
    await appendStagedReadings(tx, batch.rows);
    rowsRead += batch.rows.length + batch.errors.length;
    req.onProgress?.({ rowsRead, step: 'reading' });
  }
  return { ...info, metrics, rowsRead };
}

async function checkStaged(tx: Parameters<typeof appendStagedReadings>[0], errors: Errors) {
  const dups = await removeStagedDuplicates(tx, KEPT_ERRORS);
  for (const d of dups.first)
    errors.add({
      line: d.line,
      error: `duplicate timestamp ${new Date(d.startMs).toISOString()} (also on line ${d.firstLine})`,
    });
  errors.count += dups.count - dups.first.length;
  const lone = await inferStagedIntervals(tx, KEPT_ERRORS);
  for (const d of lone.first)
    errors.add({
      line: d.line,
      error: 'cannot tell the interval length of a lone reading: pass --interval SECONDS',
    });
  errors.count += lone.count - lone.first.length;
}

function deviceRefOf(req: ImportRequest, info: FileInfo): string {
  if (req.deviceRef) return req.deviceRef;
  if (info.meter) return info.meter;
  if (info.format === 'enedis-2026' || info.format === 'enedis-v5' || info.format === 'ores')
    throw new InputError('the file does not name its meter (idPrm / usage_point_id)', {
      hint: 'pass --device PRM to say which meter it is; nothing was imported',
    });
  return 'import';
}

export async function importReadings(db: Database, req: ImportRequest): Promise<ImportResult> {
  const building = await resolveBuilding(db, req.building, req.defaultBuilding);
  try {
    return await db.transaction(async (tx) => {
      const errors = new Errors();
      await createImportStaging(tx);
      const info = await stageFile(tx, req, building.timezone, errors);
      const deviceRef = deviceRefOf(req, info);
      req.onProgress?.({ rowsRead: info.rowsRead, step: 'checking' });
      await checkStaged(tx, errors);
      if (errors.count > 0 && !req.skipInvalid) throw refuse(req.file, errors);
      const summary = await stagedSummary(tx);
      const result: ImportResult = {
        file: req.file,
        format: info.format,
        building: building.name,
        device_ref: deviceRef,
        parsed: summary.readings,
        invalid: errors.count,
        written: 0,
        unchanged: 0,
        invalid_rows: errors.sorted(),
        range:
          summary.startMs === null || summary.endMs === null
            ? null
            : {
                start: new Date(summary.startMs).toISOString(),
                end: new Date(summary.endMs).toISOString(),
              },
        notes: info.notes,
      };
      if (req.dryRun) throw new DryRunDone(result);
      const deviceTypes: Record<string, DeviceType> = {};
      for (const m of info.metrics) deviceTypes[m] = METRIC_DEVICE[m];
      req.onProgress?.({ rowsRead: result.parsed, step: 'writing' });
      result.written = await upsertStagedReadings(tx, {
        buildingId: building.id,
        deviceRef,
        source: info.source,
        deviceTypes,
      });
      result.unchanged = result.parsed - result.written;
      return result;
    });
  } catch (e) {
    // A dry run does all the work, then rolls it back.
    if (e instanceof DryRunDone) return e.result;
    throw e;
  }
}

/** The formats `import --format` accepts and the column roles `--column` may rename. */
export { IMPORT_FORMATS, type ImportFormat } from '../imports/types.js';
export { PORTAL_ROLES } from '../imports/portalQuarterHours.js';
