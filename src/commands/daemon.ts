import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { EXIT, InterruptedError, PartialFailureError, ProviderError } from '../domain/errors.js';
import { withStopSignals } from '../signals.js';
import type { CycleOutcome } from '../services/daemon.js';
import { systemdUnit } from '../ui/systemdUnit.js';
import { contextFrom, parseIntOption, type Context } from './context.js';

/** The unit for what this user set up: same node, script, config file and data directory. */
function unitFor(ctx: Context, o: DaemonCommandOptions): string {
  const script = process.argv[1] ? path.resolve(process.argv[1]) : '/usr/local/bin/koprogo-iot';
  return systemdUnit({
    node: process.execPath,
    bin: fs.existsSync(script) ? fs.realpathSync(script) : script,
    user: o.user ?? os.userInfo().username,
    envFile: o.envFile,
    configFile: ctx.config.configFile ? path.resolve(ctx.config.configFile) : null,
    dataDir: ctx.config.database.url ? null : path.resolve(ctx.config.database.dataDir),
  });
}

export interface DaemonCommandOptions {
  once?: boolean;
  printSystemdUnit?: boolean;
  user?: string;
  envFile: string;
  pollMinutes: number;
}

export async function runDaemonCommand(
  ctx: Context,
  o: DaemonCommandOptions,
): Promise<CycleOutcome> {
  // Loaded here, not at the top: the daemon pulls in the database engine and its socket server.
  const { runDaemon } = await import('../services/daemon.js');
  return withStopSignals(
    async (signal) => {
      const out = await runDaemon({
        config: ctx.config,
        log: ctx.log,
        env: ctx.env,
        once: o.once,
        signal,
        pollMs: o.pollMinutes * 60_000,
      });
      // Stopped between cycles, the last cycle's status is still "ok" or "idle".
      return signal.aborted ? { ...out, status: 'interrupted' as const } : out;
    },
    {
      reason: (sig) => new InterruptedError(`daemon stopped by ${sig}`),
      onSignal: (sig) =>
        ctx.log.info(`${sig}: stopping (finishing the open transaction, releasing leases)`),
      // What still runs 10 s after the signal is cut off; a second signal exits at once.
      forceExitAfterMs: 10_000,
    },
  );
}

export function makeDaemonCommand(): Command {
  return new Command('daemon')
    .description(
      'sync linked meters on a schedule (default daily at 02:00 Europe/Brussels) until stopped',
    )
    .option(
      '--once',
      'run one cycle (every due meter) and exit: 0 all synced (or none linked: a warning), 7 some failed, 6 all failed',
    )
    .option(
      '--poll-minutes <n>',
      'between daily cycles, check meters synced more often than daily',
      parseIntOption('--poll-minutes', 1, 1440),
      15,
    )
    .option('--print-systemd-unit', 'print a systemd unit for this daemon and exit')
    .option(
      '--user <name>',
      'with --print-systemd-unit: run as this user (default: the current user)',
    )
    .option(
      '--env-file <path>',
      'with --print-systemd-unit: file holding the secrets',
      '/etc/koprogo-iot/env',
    )
    .action(async (opts: DaemonCommandOptions, c: Command) => {
      const ctx = contextFrom(c);
      if (opts.printSystemdUnit) {
        ctx.out.stdout.write(unitFor(ctx, opts));
        return;
      }
      const out = await runDaemonCommand(ctx, opts);
      if (opts.once) {
        if (ctx.flags.json)
          ctx.out.stdout.write(
            JSON.stringify({ status: out.status, devices: out.results }, null, 2) + '\n',
          );
        if (out.status === 'partial')
          throw new PartialFailureError(
            'some meters did not sync; they are tried again on the next cycle',
          );
        if (out.status === 'failed')
          throw new ProviderError('no meter synced in this cycle', {
            hint: 'see `koprogo-iot status`',
          });
      }
      // Stopped by a signal: exit 130 like every interrupted command (the unit lists 130 as
      // a clean stop in SuccessExitStatus).
      if (out.status === 'interrupted') process.exitCode = EXIT.INTERRUPTED;
    });
}
