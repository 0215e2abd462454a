import { Command } from 'commander';
import {
  dbStatus,
  migrationOutcome,
  type DbStatus,
  type MigrationOutcome,
} from '../services/dbStatus.js';
import { describeMigration, renderDbStatus } from '../ui/dbStatusView.js';
import { toJson, writeResult, type OutputFormat } from '../ui/output.js';
import { contextFrom, formatOption, outputFormat, withDatabase, type Context } from './context.js';

/** Opening the database applies pending migrations; this says what it applied. */
export async function runDbMigrate(ctx: Context): Promise<MigrationOutcome> {
  return withDatabase(ctx, 'db migrate', async (db) => migrationOutcome(db));
}

export async function runDbStatus(ctx: Context): Promise<DbStatus> {
  return withDatabase(ctx, 'db status', (db) => dbStatus(db));
}

export function makeDbCommand(): Command {
  const cmd = new Command('db').description('database schema and status');
  cmd
    .command('migrate')
    .description('apply pending schema migrations')
    .action(async (_o: unknown, c: Command) => {
      const ctx = contextFrom(c);
      const outcome = await runDbMigrate(ctx);
      ctx.out.stdout.write(ctx.flags.json ? toJson(outcome) : describeMigration(outcome) + '\n');
    });
  cmd
    .command('status')
    .description('schema version, engine, TimescaleDB features, rows, chunks and sizes')
    .addOption(formatOption(['table', 'json']))
    .action(async (opts: { format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const status = await runDbStatus(ctx);
      writeResult({
        format: outputFormat(ctx, opts.format),
        json: status,
        table: () => renderDbStatus(status, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
  return cmd;
}
