import fs from 'node:fs';
import { Command } from 'commander';
import { resolveBuilding } from '../db/buildings.js';
import { upsertReadings } from '../db/readings.js';
import { InputError, UsageError } from '../domain/errors.js';
import { isMetricType, METRIC_TYPES, type MetricType } from '../domain/readings.js';
import { ProviderCallError } from '../providers/errors.js';
import { contextFrom, parseIntOption, withDatabase, type Context } from './context.js';
import {
  detectFormat,
  parseCsv,
  parseProviderJson,
  type ImportFormat,
  type ParsedImport,
} from './importFile.js';

export interface ImportOptions {
  building?: string;
  format?: string;
  device?: string;
  metric?: string;
  interval?: number;
  skipInvalid?: boolean;
  dryRun?: boolean;
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
  invalid_rows: { line: number; error: string }[];
  range: { start: string; end: string } | null;
}

export async function runImport(
  ctx: Context,
  file: string,
  o: ImportOptions,
  now = new Date(),
): Promise<ImportResult> {
  const fmt = (o.format ?? 'auto') as ImportFormat | 'auto';
  if (!['auto', 'csv', 'enedis', 'ores'].includes(fmt))
    throw new UsageError('--format must be auto, csv, enedis or ores');
  if (o.metric && !isMetricType(o.metric))
    throw new UsageError(`--metric must be one of ${METRIC_TYPES.join(', ')}`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return withDatabase(ctx, 'import', async (db) => {
    const b = await resolveBuilding(db, o.building, ctx.config.defaults.building);
    const format = fmt === 'auto' ? detectFormat(text) : fmt;
    const target = {
      buildingId: b.id,
      deviceRef: o.device,
      metric: o.metric as MetricType | undefined,
      now,
      intervalSeconds: o.interval,
    };
    let parsed: ParsedImport;
    try {
      parsed = format === 'csv' ? parseCsv(text, target) : parseProviderJson(text, format, target);
    } catch (e) {
      if (e instanceof ProviderCallError)
        throw new InputError(`${file}: ${e.message}`, { hint: 'nothing was imported' });
      throw e;
    }
    const result: ImportResult = {
      file,
      format: parsed.format,
      building: b.name,
      device_ref: parsed.deviceRef,
      parsed: parsed.readings.length,
      invalid: parsed.invalid.length,
      written: 0,
      unchanged: 0,
      invalid_rows: parsed.invalid.slice(0, 100),
      range: null,
    };
    if (parsed.invalid.length > 0 && !o.skipInvalid) {
      const first = parsed.invalid
        .slice(0, 5)
        .map((x) => (x.line > 0 ? `line ${x.line}: ${x.error}` : x.error))
        .join('; ');
      const more = parsed.invalid.length > 5 ? ` (and ${parsed.invalid.length - 5} more)` : '';
      throw new InputError(`${file}: ${parsed.invalid.length} invalid row(s): ${first}${more}`, {
        hint: 'nothing was imported; fix the rows or pass --skip-invalid to import the valid ones',
      });
    }
    if (parsed.readings.length > 0) {
      const times = parsed.readings.map((r) => r.timestamp.getTime());
      result.range = {
        start: new Date(Math.min(...times)).toISOString(),
        end: new Date(Math.max(...times)).toISOString(),
      };
    }
    if (!o.dryRun && parsed.readings.length > 0) {
      result.written = await db.transaction((tx) => upsertReadings(tx, parsed.readings));
    }
    result.unchanged = o.dryRun ? 0 : parsed.readings.length - result.written;
    return result;
  });
}

export function makeImportCommand(): Command {
  return new Command('import')
    .description('load readings from a CSV file or a saved Enedis/ORES answer (all or nothing)')
    .argument(
      '<file>',
      'CSV (timestamp,value[,unit,metric]; timestamp = interval start with offset) or JSON',
    )
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--format <format>', 'auto | csv | enedis | ores', 'auto')
    .option('--device <ref>', 'series name (default: the PRM in a provider answer, else "import")')
    .option('--metric <metric>', `metric when the file does not say (${METRIC_TYPES.join(', ')})`)
    .option(
      '--interval <seconds>',
      'interval length of CSV rows (default: inferred)',
      parseIntOption('--interval', 1, 86400),
    )
    .option('--skip-invalid', 'import the valid rows and report the invalid ones')
    .option('--dry-run', 'parse and validate, write nothing')
    .action(async (file: string, opts: ImportOptions, c: Command) => {
      const ctx = contextFrom(c);
      const r = await runImport(ctx, file, opts);
      if (ctx.flags.json) return void ctx.out.stdout.write(JSON.stringify(r, null, 2) + '\n');
      for (const x of r.invalid_rows.slice(0, 20))
        ctx.out.stderr.write(`skipped ${x.line > 0 ? `line ${x.line}: ` : ''}${x.error}\n`);
      const range = r.range ? ` from ${r.range.start} to ${r.range.end}` : '';
      ctx.out.stdout.write(
        `${opts.dryRun ? 'would import' : 'imported'} ${r.parsed} readings (${r.format}) into "${r.building}" / ${r.device_ref}${range}: ` +
          `${r.written} new or changed, ${r.unchanged} already stored${r.invalid ? `, ${r.invalid} invalid skipped` : ''}\n`,
      );
    });
}
