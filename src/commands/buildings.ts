import { Command } from 'commander';
import { addBuilding, listBuildings } from '../db/buildings.js';
import { UsageError } from '../domain/errors.js';
import { isValidTimeZone } from '../config.js';
import { renderTable } from '../ui/table.js';
import { writeResult } from '../ui/output.js';
import { contextFrom, outputFormat, withDatabase, type Context } from './context.js';

export async function runBuildingsAdd(ctx: Context, name: string, opts: { timezone?: string }) {
  const tz = opts.timezone ?? ctx.config.defaults.timeZone;
  if (!isValidTimeZone(tz))
    throw new UsageError(`--timezone "${tz}" is not an IANA time zone (e.g. Europe/Brussels)`);
  return withDatabase(ctx, 'buildings add', (db) => addBuilding(db, name, tz));
}

export async function runBuildingsList(ctx: Context) {
  return withDatabase(ctx, 'buildings list', (db) => listBuildings(db));
}

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
    .option('--format <format>', 'table | json | csv', 'table')
    .action(async (opts: { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const rows = await runBuildingsList(ctx);
      const columns = [
        { key: 'name' as const, header: 'Name' },
        { key: 'timezone' as const, header: 'Time zone' },
        { key: 'devices' as const, header: 'Meters' },
        { key: 'readings_from' as const, header: 'Readings from' },
        { key: 'readings_to' as const, header: 'Readings to' },
        { key: 'id' as const, header: 'Id' },
      ];
      writeResult({
        format: outputFormat(ctx, opts.format),
        json: { buildings: rows },
        csv: { columns: columns.map((c) => ({ key: c.key, header: c.key })), rows },
        table: () =>
          renderTable({
            columns,
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
