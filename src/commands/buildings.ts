import { Command } from 'commander';
import { addBuilding, buildingTimeZone, listBuildings } from '../services/buildings.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { renderTable } from '../ui/table.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';

export async function runBuildingsAdd(ctx: Context, name: string, opts: { timezone?: string }) {
  // Checked before the database opens.
  const zone = buildingTimeZone(ctx.config, opts.timezone);
  return withServices(ctx, 'buildings add', (deps) => addBuilding(deps, name, zone));
}

export async function runBuildingsList(ctx: Context) {
  return withServices(ctx, 'buildings list', (deps) => listBuildings(deps));
}

const COLUMNS = [
  { key: 'name' as const, header: 'Name' },
  { key: 'timezone' as const, header: 'Time zone', keep: true },
  { key: 'devices' as const, header: 'Meters', drop: 1 },
  { key: 'readings_from' as const, header: 'Readings from', keep: true, drop: 3 },
  { key: 'readings_to' as const, header: 'Readings to', keep: true, drop: 2 },
  { key: 'id' as const, header: 'Id', keep: true },
];

export function makeBuildingsCommand(): Command {
  const cmd = new Command('buildings').description('add and list buildings');
  cmd
    .command('add')
    .description('add a building')
    .argument('<name>', 'building name')
    .option(
      '--timezone <zone>',
      'IANA time zone of the building (default: config defaults.timeZone, Europe/Brussels)',
    )
    .action(async (name: string, opts: { timezone?: string }, c: Command) => {
      const ctx = contextFrom(c);
      const b = await runBuildingsAdd(ctx, name, opts);
      if (ctx.flags.json) ctx.out.stdout.write(JSON.stringify(b, null, 2) + '\n');
      else ctx.out.stdout.write(`added building "${b.name}" (${b.timezone}), id ${b.id}\n`);
    });
  cmd
    .command('list')
    .description('list buildings')
    .addOption(formatOption(['table', 'json', 'csv']))
    .action(async (opts: { format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const rows = await runBuildingsList(ctx);
      writeResult({
        format: outputFormat(ctx, opts.format),
        json: { buildings: rows },
        csv: { columns: COLUMNS.map((col) => ({ key: col.key, header: col.key })), rows },
        table: () =>
          renderTable({
            columns: COLUMNS,
            rows,
            color: ctx.color,
            maxWidth: ctx.columns,
            empty: 'no building yet: add one with `koprogo-iot buildings add NAME`',
          }),
        stdout: ctx.out.stdout,
      });
    });
  return cmd;
}
