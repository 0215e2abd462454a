import { Command } from 'commander';
import { syncStatus, type SyncStatus } from '../services/meters.js';
import { writeResult, type OutputFormat } from '../ui/output.js';
import { renderSyncStatus } from '../ui/statusView.js';
import { contextFrom, formatOption, outputFormat, withServices, type Context } from './context.js';

export async function runStatus(ctx: Context): Promise<SyncStatus> {
  return withServices(ctx, 'status', (deps) => syncStatus(deps));
}

export function makeStatusCommand(): Command {
  return new Command('status')
    .description(
      'daemons (heartbeat, last and next cycle), meters (sync state, failures), alert delivery',
    )
    .addOption(formatOption(['table', 'json']))
    .action(async (opts: { format?: OutputFormat }, c: Command) => {
      const ctx = contextFrom(c);
      const status = await runStatus(ctx);
      writeResult({
        format: outputFormat(ctx, opts.format),
        json: status,
        table: () => renderSyncStatus(status, { color: ctx.color, width: ctx.columns }),
        stdout: ctx.out.stdout,
      });
    });
}
