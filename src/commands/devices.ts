import { Command } from 'commander';
import { listMeters, type Meter } from '../services/meters.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { formatLocalMinute, zoneLabel } from '../ui/format.js';
import { renderTable } from '../ui/table.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';

export interface DevicesOptions {
  building?: string;
  format?: OutputFormat;
}

/** The linked meters, of one building when --building is given, else of all. */
export async function runDevices(ctx: Context, opts: DevicesOptions): Promise<Meter[]> {
  return withServices(ctx, 'devices', (deps) => listMeters(deps, opts.building));
}

/** Times in each meter's building zone, the zone in the header. */
const columnsFor = (rows: readonly Meter[]) => {
  const zones = rows.map((r) => r.building_timezone);
  const local = (v: unknown, d: Meter) => formatLocalMinute(v as Date | null, d.building_timezone);
  return COLUMNS.map((c) =>
    c.key === 'consent_expires_at' || c.key === 'last_sync_at'
      ? { ...c, header: zoneLabel(c.header, zones), format: local }
      : c,
  );
};

const COLUMNS = [
  { key: 'building_name' as const, header: 'Building' },
  { key: 'prm' as const, header: 'PRM', keep: true },
  { key: 'provider' as const, header: 'Provider', drop: 1 },
  { key: 'consent_expires_at' as const, header: 'Consent until', keep: true, drop: 2 },
  { key: 'last_sync_at' as const, header: 'Last sync', keep: true },
  {
    key: 'status' as const,
    header: 'Status',
    format: (_v: unknown, d: Meter) =>
      d.status_message ? `${d.status}: ${d.status_message}` : d.status,
  },
];

const CSV_KEYS: (keyof Meter & string)[] = [
  'building_name',
  'prm',
  'provider',
  'consent_expires_at',
  'last_sync_at',
  'last_sync_status',
  'status',
  'status_message',
  'id',
  'building_id',
];

export function makeDevicesCommand(): Command {
  return new Command('devices')
    .description('list linked meters: building, PRM, provider, consent expiry, last sync, status')
    .option('--building <name|id>', 'only the meters of this building')
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: DevicesOptions, c: Command) => {
      const ctx = contextFrom(c);
      const format = outputFormat(ctx, opts.format);
      const devices = await runDevices(ctx, opts);
      writeResult({
        format,
        json: { devices },
        csv: { columns: CSV_KEYS.map((key) => ({ key, header: key })), rows: devices },
        table: () =>
          renderTable({
            columns: columnsFor(devices),
            rows: devices,
            color: ctx.color,
            maxWidth: ctx.columns,
            empty: 'no meter linked yet: link one with `koprogo-iot link --provider enedis|ores`',
          }),
        stdout: ctx.out.stdout,
      });
    });
}
