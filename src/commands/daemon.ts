import { Command } from 'commander';
import { PartialFailureError, ProviderError } from '../domain/errors.js';
import { withStopSignals } from '../signals.js';
import type { CycleOutcome } from '../services/daemon.js';
import { contextFrom, parseIntOption, type Context } from './context.js';

export function systemdUnit(opts: {
  bin: string;
  user?: string;
  envFile: string;
  workDir?: string;
}): string {
  return `# /etc/systemd/system/koprogo-iot.service — install with:
#   sudo cp koprogo-iot.service /etc/systemd/system/ && sudo systemctl daemon-reload
#   sudo systemctl enable --now koprogo-iot
# Secrets (IOT_ENCRYPTION_KEY, client secrets, DATABASE_URL) go in ${opts.envFile}, mode 0600.
[Unit]
Description=koprogo-iot smart-meter sync daemon
After=network-online.target postgresql.service
Wants=network-online.target

[Service]
Type=simple
${opts.user ? `User=${opts.user}\n` : 'DynamicUser=yes\nStateDirectory=koprogo-iot\nEnvironment=KOPROGO_IOT_DATA_DIR=/var/lib/koprogo-iot\n'}EnvironmentFile=${opts.envFile}
ExecStart=${opts.bin} daemon
Restart=on-failure
RestartSec=30s
# The daemon stops within 10 s of SIGTERM.
TimeoutStopSec=20s
KillSignal=SIGTERM
# Sandboxing
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectSystem=strict
ProtectHome=read-only
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
RestrictNamespaces=yes
LockPersonality=yes
RestrictRealtime=yes
SystemCallArchitectures=native
CapabilityBoundingSet=
${opts.user ? 'ReadWritePaths=-/var/lib/koprogo-iot\n' : ''}
[Install]
WantedBy=multi-user.target
`;
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
    (signal) =>
      runDaemon({
        config: ctx.config,
        log: ctx.log,
        env: ctx.env,
        once: o.once,
        signal,
        pollMs: o.pollMinutes * 60_000,
      }),
    {
      reason: (sig) => new Error(`stopped by ${sig}`),
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
      'run one cycle (every due meter) and exit: 0 all synced, 7 some failed, 6 all failed',
    )
    .option(
      '--poll-minutes <n>',
      'between daily cycles, check meters synced more often than daily',
      parseIntOption('--poll-minutes', 1, 1440),
      15,
    )
    .option('--print-systemd-unit', 'print a systemd unit for this daemon and exit')
    .option('--user <name>', 'with --print-systemd-unit: run as this user (default: DynamicUser)')
    .option(
      '--env-file <path>',
      'with --print-systemd-unit: file holding the secrets',
      '/etc/koprogo-iot/env',
    )
    .action(async (opts: DaemonCommandOptions, c: Command) => {
      if (opts.printSystemdUnit) {
        const bin =
          process.argv[1] && process.argv[1].endsWith('koprogo-iot')
            ? process.argv[1]
            : '/usr/local/bin/koprogo-iot';
        process.stdout.write(systemdUnit({ bin, user: opts.user, envFile: opts.envFile }));
        return;
      }
      const ctx = contextFrom(c);
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
      if (out.status === 'interrupted') process.exitCode = 0;
    });
}
