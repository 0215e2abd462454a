import { Command } from 'commander';
import { UsageError } from '../domain/errors.js';
import {
  DEVICE_TYPES,
  METRIC_TYPES,
  isDeviceType,
  isMetricType,
  type DeviceType,
  type MetricType,
} from '../domain/readings.js';
import { listReadings, type ReadingsPage } from '../services/readings.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { READINGS_CSV_COLUMNS, renderReadings } from '../ui/readingsView.js';
import {
  contextFrom,
  formatOption,
  outputFormat,
  parseIntOption,
  withServices,
  type Context,
} from './context.js';
import { resolveRange } from './dateRange.js';

export interface ReadingsOptions {
  from?: string;
  to?: string;
  building?: string;
  deviceType?: string;
  metric?: string;
  device?: string;
  page: number;
  perPage: number;
}

/** The last 7 local days up to now, unless --from / --to say otherwise. */
const DEFAULT_DAYS = 7;

export async function runReadings(ctx: Context, o: ReadingsOptions): Promise<ReadingsPage> {
  if (o.deviceType && !isDeviceType(o.deviceType))
    throw new UsageError(`--device-type must be one of ${DEVICE_TYPES.join(', ')}`);
  if (o.metric && !isMetricType(o.metric))
    throw new UsageError(`--metric must be one of ${METRIC_TYPES.join(', ')}`);
  return withServices(ctx, 'readings', (deps) =>
    listReadings(deps, {
      building: o.building,
      range: (zone) => resolveRange(o, zone, deps.now(), DEFAULT_DAYS),
      deviceType: o.deviceType as DeviceType | undefined,
      metricType: o.metric as MetricType | undefined,
      device: o.device,
      page: o.page,
      perPage: o.perPage,
    }),
  );
}

export function makeReadingsCommand(): Command {
  return new Command('readings')
    .description('list stored readings of a building, oldest first')
    .option('--from <date>', 'YYYY-MM-DD (local day) or ISO-8601 instant (default: 7 days ago)')
    .option('--to <date>', 'YYYY-MM-DD (included) or ISO-8601 instant (default: now)')
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option('--device-type <type>', DEVICE_TYPES.join(' | '))
    .option('--metric <metric>', METRIC_TYPES.join(' | '))
    .option('--device <prm>', 'one meter (PRM) or imported series')
    .option('--page <n>', 'page number', parseIntOption('--page', 1, 10_000_000), 1)
    .option(
      '--per-page <n>',
      'readings per page (at most 1000)',
      parseIntOption('--per-page', 1, 1000),
      100,
    )
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: ReadingsOptions & { format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runReadings(ctx, opts);
      writeResult({
        format,
        json: res,
        csv: { columns: READINGS_CSV_COLUMNS, rows: res.readings },
        table: () => renderReadings(res, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
}
