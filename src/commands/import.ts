import { Command, Option } from 'commander';
import { UsageError } from '../domain/errors.js';
import { METRIC_TYPES, type MetricType } from '../domain/readings.js';
import {
  IMPORT_FORMATS,
  PORTAL_ROLES,
  importReadings,
  type ImportFormat,
  type ImportResult,
} from '../services/importReadings.js';
import { contextFrom, parseIntOption, withDatabase, type Context } from './context.js';

export interface ImportOptions {
  building?: string;
  format?: ImportFormat | 'auto';
  device?: string;
  metric?: MetricType;
  interval?: number;
  column?: Record<string, string>;
  skipInvalid?: boolean;
  dryRun?: boolean;
}

/** --column role=NAME, repeatable: the header name of a column of a portal export. */
function collectColumn(
  value: string,
  previous: Record<string, string> = {},
): Record<string, string> {
  const m = /^([a-zA-Z]+)=(.+)$/.exec(value);
  if (!m || !(PORTAL_ROLES as readonly string[]).includes(m[1] as string))
    throw new UsageError(
      `--column must be ROLE=NAME with ROLE one of ${PORTAL_ROLES.join(', ')}, got "${value}"`,
    );
  return { ...previous, [m[1] as string]: (m[2] as string).trim() };
}

export async function runImport(
  ctx: Context,
  file: string,
  o: ImportOptions,
  now = new Date(),
): Promise<ImportResult> {
  const progress = ctx.interactive ? progressLine(ctx) : null;
  try {
    return await withDatabase(ctx, 'import', (db) =>
      importReadings(db, {
        file,
        format: o.format ?? 'auto',
        building: o.building,
        defaultBuilding: ctx.config.defaults.building,
        deviceRef: o.device,
        metric: o.metric,
        intervalSeconds: o.interval,
        columns: o.column,
        skipInvalid: o.skipInvalid,
        dryRun: o.dryRun,
        now,
        onProgress: progress?.update,
      }),
    );
  } finally {
    progress?.clear();
  }
}

/**
 * Progress on stderr for a terminal: one line rewritten in place while reading (a large file
 * takes minutes), then a line per step. `clear` wipes an unfinished line before an error.
 */
function progressLine(ctx: Context) {
  let last = 0;
  let open = false;
  const update = (p: { rowsRead: number; step: 'reading' | 'checking' | 'writing' }) => {
    const now = Date.now();
    if (p.step === 'reading' && now - last < 250) return;
    last = now;
    const rows = p.rowsRead.toLocaleString('en-US');
    if (p.step === 'reading') {
      ctx.out.stderr.write(`\r\x1b[2Kreading… ${rows} rows`);
      open = true;
      return;
    }
    const what =
      p.step === 'checking'
        ? `read ${rows} rows with a value; checking…`
        : `writing ${rows} readings…`;
    ctx.out.stderr.write(`\r\x1b[2K${what}\n`);
    open = false;
  };
  const clear = () => {
    if (open) ctx.out.stderr.write('\r\x1b[2K');
  };
  return { update, clear };
}

function render(ctx: Context, r: ImportResult, dryRun: boolean): void {
  if (ctx.flags.json) return void ctx.out.stdout.write(JSON.stringify(r, null, 2) + '\n');
  for (const x of r.invalid_rows.slice(0, 20))
    ctx.out.stderr.write(`skipped ${x.line > 0 ? `line ${x.line}: ` : ''}${x.error}\n`);
  for (const n of r.notes) ctx.out.stderr.write(`note: ${n}\n`);
  const range = r.range ? ` from ${r.range.start} to ${r.range.end}` : '';
  ctx.out.stdout.write(
    `${dryRun ? 'would import' : 'imported'} ${r.parsed} readings (${r.format}) into "${r.building}" / ${r.device_ref}${range}: ` +
      `${r.written} new or changed, ${r.unchanged} already stored${r.invalid ? `, ${r.invalid} invalid skipped` : ''}\n`,
  );
}

export function makeImportCommand(): Command {
  return new Command('import')
    .description(
      'load readings from a CSV file, a portal export (Fluvius, ORES, Enedis account) or a saved Enedis/ORES answer (all or nothing)',
    )
    .argument(
      '<file>',
      'CSV (timestamp,value[,unit,metric] or a header naming them; comma, semicolon or tab), portal export, or JSON',
    )
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .addOption(
      new Option('--format <format>', 'file layout (auto: told by its start)')
        .choices(['auto', ...IMPORT_FORMATS])
        .default('auto'),
    )
    .option('--device <ref>', 'series name (default: the PRM/EAN the file names, else "import")')
    .addOption(
      new Option(
        '--metric <metric>',
        'metric when the file does not say (overrides a v5 answer)',
      ).choices(METRIC_TYPES),
    )
    .option(
      '--interval <seconds>',
      'interval length of CSV rows (default: inferred)',
      parseIntOption('--interval', 1, 86400),
    )
    .option(
      '--column <role=name>',
      `header name of a portal export's column (${PORTAL_ROLES.join(', ')}), repeatable`,
      collectColumn,
    )
    .option('--skip-invalid', 'import the valid rows and report the invalid ones')
    .option('--dry-run', 'parse and validate, write nothing')
    .action(async (file: string, opts: ImportOptions, c: Command) => {
      const ctx = contextFrom(c);
      render(ctx, await runImport(ctx, file, opts), !!opts.dryRun);
    });
}
