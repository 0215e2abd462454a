import { Command } from 'commander';
import { InterruptedError } from '../domain/errors.js';
import { withStopSignals } from '../signals.js';
import { checkSyncQuery, syncFailure, syncMeters, type SyncOutcome } from '../services/sync.js';
import { toJson } from '../ui/output.js';
import { createProgress } from '../ui/progress.js';
import { renderSyncOutcome, syncJson } from '../ui/syncView.js';
import { contextFrom, loggerWritingTo, withServices, type Context } from './context.js';
import { checkRange, parseFrom, parseTo } from './dateRange.js';

export interface SyncOptions {
  building?: string;
  device?: string;
  from?: string;
  to?: string;
}

export async function runSync(
  ctx: Context,
  o: SyncOptions,
  deps: { signal?: AbortSignal; fetch?: typeof fetch; minBackoffMs?: number } = {},
): Promise<SyncOutcome> {
  const query = {
    building: o.building,
    device: o.device,
    dates: (zone: string) => {
      checkRange(o.from, o.to, zone);
      return {
        from: o.from ? parseFrom(o.from, zone) : undefined,
        to: o.to ? parseTo(o.to, zone) : undefined,
      };
    },
  };
  checkSyncQuery(query);
  const bar = createProgress({
    stream: ctx.out.stderr,
    total: 0,
    label: 'sync',
    enabled: ctx.interactive,
    color: ctx.color,
  });
  let total = 0;
  // Log lines are printed above the bar, never on its line.
  const barCtx = { ...ctx, log: loggerWritingTo(ctx, (line) => bar.writeAbove(line)) };
  try {
    return await withServices(
      barCtx,
      'sync',
      (services) =>
        syncMeters(services, query, {
          ...deps,
          env: ctx.env,
          progress: { addTotal: (n) => bar.setTotal((total += n)), tick: (n) => bar.tick(n) },
        }),
      // A backfill takes minutes: other commands read the data through this process.
      { serve: true },
    );
  } finally {
    bar.done();
  }
}

export function makeSyncCommand(): Command {
  return new Command('sync')
    .description(
      'fetch new readings of linked meters now (first run backfills the provider history)',
    )
    .option('--building <name|id>', 'only the meters of this building')
    .option('--device <prm|id>', 'only this meter')
    .option(
      '--from <date>',
      'start (YYYY-MM-DD local day or ISO instant; default: checkpoint minus the overlap)',
    )
    .option('--to <date>', 'end (default: today; day D is published on D+1)')
    .action(async (opts: SyncOptions, c: Command) => {
      const ctx = contextFrom(c);
      let stopped: unknown = null;
      const out = await withStopSignals(
        async (signal) => {
          const result = await runSync(ctx, opts, { signal });
          if (signal.aborted) stopped = signal.reason;
          return result;
        },
        {
          reason: (sig) =>
            new InterruptedError(
              `sync interrupted by ${sig}; what was written is kept, the next sync resumes from there`,
            ),
        },
      );
      ctx.out.stdout.write(
        ctx.flags.json
          ? toJson(syncJson(out))
          : renderSyncOutcome(out, { color: ctx.color, width: ctx.columns }) + '\n',
      );
      if (stopped) throw stopped;
      const failure = syncFailure(out);
      if (failure) throw failure;
    });
}
