import { Command } from 'commander';
import { resolveBuilding } from '../db/buildings.js';
import { listDevices, type DeviceWithBuilding } from '../db/devices.js';
import { renderTable } from '../ui/table.js';
import { writeResult } from '../ui/output.js';
import { contextFrom, outputFormat, withDatabase, type Context } from './context.js';

export interface DevicesOptions {
  building?: string;
  format?: string;
}

/** The linked meters, of one building when --building is given, else of all. */
export async function runDevices(
  ctx: Context,
  opts: DevicesOptions,
): Promise<DeviceWithBuilding[]> {
  return withDatabase(ctx, 'devices', async (db) => {
    if (!opts.building) return listDevices(db);
    const b = await resolveBuilding(db, opts.building);
    return listDevices(db, { buildingId: b.id });
  });
}

const COLUMNS = [
  { key: 'building_name' as const, header: 'Building' },
  { key: 'prm' as const, header: 'PRM' },
  { key: 'provider' as const, header: 'Provider' },
  { key: 'consent_expires_at' as const, header: 'Consent until' },
  { key: 'last_sync_at' as const, header: 'Last sync' },
];

const CSV_KEYS: (keyof DeviceWithBuilding & string)[] = [
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
    .option('--format <format>', 'table | json | csv', 'table')
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
            columns: [
              ...COLUMNS,
              {
                key: 'status' as const,
                header: 'Status',
                format: (_v: unknown, d: DeviceWithBuilding) =>
                  d.status_message ? `${d.status}: ${d.status_message}` : d.status,
              },
            ],
            rows: devices,
            color: ctx.color,
            maxWidth: ctx.columns,
            empty: 'no meter linked yet: link one with `koprogo-iot link --provider enedis|ores`',
          }),
        stdout: ctx.out.stdout,
      });
    });
}
