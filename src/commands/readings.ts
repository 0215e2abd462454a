import { Command } from 'commander';
import { DateTime } from 'luxon';
import { resolveBuilding } from '../db/buildings.js';
import { countReadings, listReadings, type StoredReading } from '../db/readings.js';
import { UsageError } from '../domain/errors.js';
import { isDeviceType, isMetricType, DEVICE_TYPES, METRIC_TYPES } from '../domain/readings.js';
import { renderTable } from '../ui/table.js';
import { writeResult } from '../ui/output.js';
import {
  contextFrom,
  outputFormat,
  parseIntOption,
  withDatabase,
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

export interface ReadingsPage {
  readings: {
    key: string;
    building_id: string;
    device_ref: string;
    device_type: string;
    metric_type: string;
    value: number;
    unit: string;
    timestamp: string;
    interval_seconds: number;
    source: string;
  }[];
  pagination: { page: number; per_page: number; total: number; total_pages: number };
  date_range: { start: string; end: string };
  building: { id: string; name: string; timezone: string };
}

export async function runReadings(
  ctx: Context,
  o: ReadingsOptions,
  now = new Date(),
): Promise<ReadingsPage> {
  if (o.deviceType && !isDeviceType(o.deviceType))
    throw new UsageError(`--device-type must be one of ${DEVICE_TYPES.join(', ')}`);
  if (o.metric && !isMetricType(o.metric))
    throw new UsageError(`--metric must be one of ${METRIC_TYPES.join(', ')}`);
  return withDatabase(ctx, 'readings', async (db) => {
    const b = await resolveBuilding(db, o.building, ctx.config.defaults.building);
    const range = resolveRange(o, b.timezone, now, 7);
    const filter = {
      buildingId: b.id,
      from: range.from,
      to: range.to,
      deviceType: o.deviceType as never,
      metricType: o.metric as never,
      deviceRef: o.device,
    };
    const total = await countReadings(db, filter);
    const rows = await listReadings(db, filter, o.page, o.perPage);
    return {
      readings: rows.map((r: StoredReading) => ({
        key: `${r.device_ref}/${r.metric_type}/${new Date(r.timestamp).toISOString()}`,
        building_id: r.building_id,
        device_ref: r.device_ref,
        device_type: r.device_type,
        metric_type: r.metric_type,
        value: r.value,
        unit: r.unit,
        timestamp: new Date(r.timestamp).toISOString(),
        interval_seconds: r.interval_seconds,
        source: r.source,
      })),
      pagination: {
        page: o.page,
        per_page: o.perPage,
        total,
        total_pages: Math.ceil(total / o.perPage),
      },
      date_range: { start: range.from.toISOString(), end: range.to.toISOString() },
      building: { id: b.id, name: b.name, timezone: b.timezone },
    };
  });
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
    .option('--format <format>', 'table | json | csv', 'table')
    .action(async (opts: ReadingsOptions & { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const res = await runReadings(ctx, opts);
      const zone = res.building.timezone;
      const local = (iso: unknown) =>
        DateTime.fromISO(String(iso)).setZone(zone).toFormat('yyyy-MM-dd HH:mm ZZ');
      const columns = [
        { key: 'timestamp' as const, header: `Start (${zone})`, format: local },
        {
          key: 'interval_seconds' as const,
          header: 'Minutes',
          format: (v: unknown) => String(Number(v) / 60),
        },
        { key: 'value' as const, header: 'Value', decimals: 3 },
        { key: 'unit' as const, header: 'Unit' },
        {
          key: 'metric_type' as const,
          header: 'Metric',
          format: (v: unknown) => String(v).replace('electricity_', ''),
        },
        { key: 'device_ref' as const, header: 'Meter' },
        { key: 'source' as const, header: 'Source' },
      ];
      writeResult({
        format,
        json: res,
        csv: {
          columns: [
            'timestamp',
            'value',
            'unit',
            'metric_type',
            'device_type',
            'device_ref',
            'interval_seconds',
            'source',
            'building_id',
          ].map((k) => ({ key: k as keyof ReadingsPage['readings'][number], header: k })),
          rows: res.readings,
        },
        table: () => {
          const p = res.pagination;
          const t = renderTable({
            columns,
            rows: res.readings,
            color: ctx.color,
            maxWidth: ctx.columns,
            empty: 'no readings in this range',
          });
          return `${t}\npage ${p.page} of ${Math.max(p.total_pages, 1)} (${p.total} readings, ${res.building.name}, ${res.date_range.start} → ${res.date_range.end})`;
        },
        stdout: ctx.out.stdout,
      });
    });
}
