/**
 * The systemd unit `daemon --print-systemd-unit` prints. It carries what the user set up:
 * the same config file and data directory (as absolute paths) that `init`, `link` and `sync`
 * used, run as the same user, so the daemon syncs the meters already linked.
 */

export interface SystemdUnitInput {
  /** Absolute path of the node binary, and of the koprogo-iot script it runs. */
  node: string;
  bin: string;
  /** The user the unit runs as (the owner of the data directory). */
  user: string;
  envFile: string;
  /** The config file in use (absolute), or null when none was found. */
  configFile: string | null;
  /** The embedded database's directory (absolute), or null with a database server. */
  dataDir: string | null;
}

/** systemd needs spaces and quotes inside an argument escaped this way. */
function quoteArg(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

function moveHelp(u: SystemdUnitInput): string[] {
  if (!u.dataDir) return [];
  return [
    `# The data stays where you created it: ${u.dataDir}.`,
    '# To keep it under /var/lib instead, stop every koprogo-iot process, then:',
    `#   sudo install -d -o ${u.user} -m 0700 /var/lib/koprogo-iot`,
    `#   sudo mv ${quoteArg(u.dataDir)}/* /var/lib/koprogo-iot/`,
    '# and set KOPROGO_IOT_DATA_DIR and ReadWritePaths below to /var/lib/koprogo-iot.',
  ];
}

export function systemdUnit(u: SystemdUnitInput): string {
  const args = [u.node, u.bin, 'daemon'];
  if (u.configFile) args.push('--config', u.configFile);
  const service = [
    'Type=simple',
    `User=${u.user}`,
    ...(u.dataDir ? [`Environment=KOPROGO_IOT_DATA_DIR=${quoteArg(u.dataDir)}`] : []),
    `EnvironmentFile=${u.envFile}`,
    `ExecStart=${args.map(quoteArg).join(' ')}`,
    'Restart=on-failure',
    "# A stop by SIGTERM ends with 130, as the README's exit codes say: a clean stop.",
    'SuccessExitStatus=130',
    'RestartSec=30s',
    '# The daemon stops within 10 s of SIGTERM.',
    'TimeoutStopSec=20s',
    'KillSignal=SIGTERM',
    '# Sandboxing: the system and home directories are read-only but for the data directory.',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    ...(u.dataDir ? [`ReadWritePaths=${quoteArg(u.dataDir)}`] : []),
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectControlGroups=yes',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    'RestrictRealtime=yes',
    'SystemCallArchitectures=native',
    'CapabilityBoundingSet=',
  ];
  return [
    '# /etc/systemd/system/koprogo-iot.service — install with:',
    '#   sudo cp koprogo-iot.service /etc/systemd/system/ && sudo systemctl daemon-reload',
    '#   sudo systemctl enable --now koprogo-iot',
    `# Secrets go in ${u.envFile} (mode 0600, one VAR=value a line): IOT_ENCRYPTION_KEY,`,
    "# the providers' client ids and secrets, DATABASE_URL if you use a server.",
    `# Config file: ${u.configFile ?? 'none found (defaults and environment only)'}.`,
    ...moveHelp(u),
    '[Unit]',
    'Description=koprogo-iot smart-meter sync daemon',
    'After=network-online.target postgresql.service',
    'Wants=network-online.target',
    '',
    '[Service]',
    ...service,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
