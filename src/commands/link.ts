import { Command, Option } from 'commander';
import open from 'open';
import { requireProviderCredentials } from '../config.js';
import { InterruptedError, UsageError } from '../domain/errors.js';
import {
  PROVIDERS,
  linkMeter,
  parseProvider,
  providerLabel,
  type DeviceWithBuilding,
  type ProviderDeps,
  type ProviderName,
} from '../services/meterLinks.js';
import {
  hasP1Flags,
  linkP1Meter,
  p1ConnectionFromFlags,
  type P1LinkFlags,
  type P1LinkResult,
} from '../services/p1Link.js';
import { describeP1Link } from '../ui/p1View.js';
import { formatLocalMinute } from '../ui/format.js';
import { toJson } from '../ui/output.js';
import { withStopSignals } from '../signals.js';
import { contextFrom, parseIntOption, withServices, type Context } from './context.js';

export interface LinkOptions extends P1LinkFlags {
  provider: string;
  building?: string;
  prm?: string;
  /** false with --no-browser. */
  browser?: boolean;
  /** Seconds to wait for the browser (default 300), or for a P1 telegram (default 30). */
  timeout?: number;
  port?: number;
}

export interface LinkDeps {
  /** Replaces the browser (tests follow the redirects with fetch). */
  openUrl?: (url: string) => Promise<void>;
  signal?: AbortSignal;
  providerDeps?: ProviderDeps;
}

/** Whether a browser can be opened here: a terminal, and on Linux a graphical session. */
export function canOpenBrowser(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
  isTTY: boolean,
): boolean {
  if (!isTTY) return false;
  if (platform === 'linux') return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
  return true;
}

function browserOpener(ctx: Context, provider: ProviderName, useBrowser: boolean) {
  const say = (text: string) => ctx.out.stderr.write(text + '\n');
  const label = providerLabel(provider);
  return async (url: string): Promise<void> => {
    if (!useBrowser) {
      say(`Open this address in a browser to give the consent at ${label}:\n\n  ${url}\n`);
      say('Waiting for the answer…');
      return;
    }
    say(
      `Opening the browser for the consent at ${label}. If it does not open, go to:\n\n  ${url}\n`,
    );
    try {
      const child = await open(url);
      // A missing browser shows up as an error event on the spawned process.
      child.once('error', () => say('The browser could not be opened: use the address above.'));
    } catch {
      say('The browser could not be opened: use the address above.');
    }
  };
}

/** Links a P1 meter: listens on the connection the flags give, stores what it heard. */
export async function runP1Link(
  ctx: Context,
  opts: LinkOptions,
  deps: Pick<LinkDeps, 'signal'> = {},
): Promise<P1LinkResult> {
  if (opts.port !== undefined || opts.browser === false)
    throw new UsageError('--port and --no-browser are for a consent; a P1 meter has none');
  const connection = p1ConnectionFromFlags(opts, ctx.env);
  return withServices(ctx, 'link', (services) =>
    linkP1Meter(services, {
      building: opts.building ?? null,
      connection,
      timeoutMs: (opts.timeout ?? 30) * 1000,
      ...(opts.prm !== undefined ? { expectedId: opts.prm } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    }),
  );
}

export async function runLink(
  ctx: Context,
  opts: LinkOptions,
  deps: LinkDeps = {},
): Promise<DeviceWithBuilding> {
  const provider = parseProvider(opts.provider);
  if (provider === 'p1') return (await runP1Link(ctx, opts, deps)).device;
  if (hasP1Flags(opts) || opts.topic !== undefined)
    throw new UsageError(`--mqtt, --topic, --tcp and --serial are for --provider p1`);
  // Every credential the link needs, checked before the consent page: a missing secret
  // found after the user said yes is a consent thrown away.
  requireProviderCredentials(ctx.config, provider);
  const useBrowser =
    opts.browser !== false && canOpenBrowser(ctx.env, process.platform, !!ctx.out.stderr.isTTY);
  const openUrl = deps.openUrl ?? browserOpener(ctx, provider, useBrowser);
  return withServices(ctx, 'link', (services) =>
    linkMeter(services, {
      provider,
      building: opts.building ?? null,
      ...(opts.prm !== undefined ? { prm: opts.prm } : {}),
      timeoutMs: (opts.timeout ?? 300) * 1000,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      openUrl,
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.providerDeps ? { providerDeps: deps.providerDeps } : {}),
    }),
  );
}

/** The linked device as people read it; never a token. */
export function describeLinkedDevice(d: DeviceWithBuilding): string {
  const lines = [
    `Linked meter ${d.prm} (${providerLabel(d.provider)}) to building "${d.building_name}".`,
  ];
  if (d.consent_expires_at)
    lines.push(
      `Consent until ${formatLocalMinute(d.consent_expires_at, d.building_timezone)} (${d.building_timezone}).`,
    );
  if (d.authorization_id) lines.push(`Enedis authorisation ${d.authorization_id}.`);
  lines.push(`Device id ${d.id}. Fetch its data with \`koprogo-iot sync\`.`);
  return lines.join('\n') + '\n';
}

export function makeLinkCommand(): Command {
  return new Command('link')
    .description(
      "link a building's meter: the provider's consent page in the browser, or a P1 port",
    )
    .addOption(
      new Option('--provider <provider>', 'enedis (France), ores (Belgium) or p1 (P1 port)')
        .choices([...PROVIDERS])
        .makeOptionMandatory(),
    )
    .option('--building <name|id>', 'building (default: the only one, or defaults.building)')
    .option(
      '--prm <prm>',
      'the meter expected: 14 digits (Enedis), 18 digits (ORES EAN) or a P1 equipment id',
    )
    .option('--mqtt <url>', 'P1: the MQTT broker a dongle publishes on (mqtt://host:1883)')
    .option('--topic <topic>', 'P1: the topic of raw telegrams or of the dongle JSON')
    .option('--mqtt-user <name>', 'P1: broker user (or env KOPROGO_IOT_MQTT_USERNAME)')
    .option(
      '--mqtt-password <password>',
      'P1: broker password (better: env KOPROGO_IOT_MQTT_PASSWORD)',
    )
    .option('--tcp <host:port>', 'P1: a TCP socket serving raw telegrams (ser2net, a dongle)')
    .option('--serial <device>', 'P1: the serial device of a P1 cable (/dev/ttyUSB0)')
    .option(
      '--baud <rate>',
      'P1: serial speed (default 115200)',
      parseIntOption('--baud', 300, 921_600),
    )
    .option('--no-browser', 'print the consent address instead of opening a browser')
    .option(
      '--timeout <seconds>',
      'how long to wait for the consent (default 300) or a P1 telegram (default 30)',
      parseIntOption('--timeout', 1, 86_400),
    )
    .option(
      '--port <n>',
      'loopback port on 127.0.0.1 (default: a free one)',
      parseIntOption('--port', 0, 65535),
    )
    .addHelpText(
      'after',
      `
The consent ends on a listener at http://127.0.0.1:<port>/callback, open only while the
link waits. Without a display (no DISPLAY/WAYLAND_DISPLAY on Linux, or not a terminal)
the address is printed for you to open in any browser on this computer. For Enedis in
production, set providers.enedis.redirectUri to your relay page (see docs/relay.md).
ORES tokens are sealed with IOT_ENCRYPTION_KEY (64 hex characters), which must be set.

A P1 meter (--provider p1) needs no consent: give one of --mqtt URL --topic T,
--tcp HOST:PORT or --serial DEVICE. The link waits for a telegram that passes its CRC,
shows the meter's id and readings, and stores the meter; a broker user and password are
sealed with IOT_ENCRYPTION_KEY. No good telegram in --timeout seconds: exit 6.`,
    )
    .action(async (opts: LinkOptions, c: Command) => {
      const ctx = contextFrom(c);
      await withStopSignals(
        async (signal) => {
          if (opts.provider === 'p1') {
            const r = await runP1Link(ctx, opts, { signal });
            if (ctx.flags.json)
              ctx.out.stdout.write(toJson({ device: r.device, telegram: r.telegram }));
            else ctx.out.stdout.write(describeP1Link(r));
            return;
          }
          const device = await runLink(ctx, opts, { signal });
          if (ctx.flags.json) ctx.out.stdout.write(toJson({ device }));
          else ctx.out.stdout.write(describeLinkedDevice(device));
        },
        { reason: () => new InterruptedError('the link was interrupted; nothing was stored') },
      );
    });
}
