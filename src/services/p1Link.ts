/**
 * Linking a P1 meter: the connection the flags describe is opened, telegrams are awaited
 * until one passes its CRC, and the meter (named by its equipment id) is stored with its
 * connection, the broker credentials sealed like provider tokens. No consent, no token.
 * Nothing is stored unless a good telegram was heard.
 */
import { randomUUID } from 'node:crypto';
import { resolveBuilding } from '../db/buildings.js';
import { alreadyLinked, getDevice, insertDevice, type DeviceWithBuilding } from '../db/devices.js';
import { insertP1Meter } from '../db/p1Meters.js';
import { ProviderError, UsageError } from '../domain/errors.js';
import { sealingKey } from '../link/keyring.js';
import {
  checkMqttUrl,
  createTransport,
  parseTcpAddress,
  type P1Connection,
  type P1Telegram,
  type RejectReason,
} from '../providers/p1/index.js';
import { providerEntry } from '../providers/registry.js';
import type { Env, ServiceDeps } from './deps.js';

/** Environment variables holding the broker's user and password (flags take precedence). */
export const MQTT_USER_ENV = 'KOPROGO_IOT_MQTT_USERNAME';
export const MQTT_PASSWORD_ENV = 'KOPROGO_IOT_MQTT_PASSWORD';

export interface P1LinkFlags {
  mqtt?: string;
  topic?: string;
  tcp?: string;
  serial?: string;
  baud?: number;
  mqttUser?: string;
  mqttPassword?: string;
}

/** Whether the flags ask for a P1 connection at all. */
export function hasP1Flags(f: P1LinkFlags): boolean {
  return f.mqtt !== undefined || f.tcp !== undefined || f.serial !== undefined;
}

const WAYS = '--mqtt URL --topic T, --tcp HOST:PORT or --serial /dev/ttyUSB0';

/** The connection the flags name: exactly one way in, with what it needs. */
export function p1ConnectionFromFlags(f: P1LinkFlags, env: Env): P1Connection {
  const given = [f.mqtt && '--mqtt', f.tcp && '--tcp', f.serial && '--serial'].filter(Boolean);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0
        ? 'a P1 meter needs a way in'
        : `give one way in, not ${given.join(' and ')}`,
      { hint: `give ${WAYS}` },
    );
  }
  if (f.topic !== undefined && !f.mqtt)
    throw new UsageError('--topic goes with --mqtt', { hint: `give ${WAYS}` });
  if ((f.mqttUser !== undefined || f.mqttPassword !== undefined) && !f.mqtt)
    throw new UsageError('--mqtt-user and --mqtt-password go with --mqtt');
  if (f.baud !== undefined && !f.serial) throw new UsageError('--baud goes with --serial');
  if (f.tcp) return { kind: 'tcp', ...parseTcpAddress(f.tcp) };
  if (f.serial) {
    if (!f.serial.startsWith('/') && !/^COM\d+$/i.test(f.serial))
      throw new UsageError(`--serial: not a device path: '${f.serial}'`, {
        hint: 'give the device, e.g. --serial /dev/ttyUSB0',
      });
    return { kind: 'serial', path: f.serial, ...(f.baud ? { baudRate: f.baud } : {}) };
  }
  return mqttConnection(f, env);
}

function mqttConnection(f: P1LinkFlags, env: Env): P1Connection {
  const url = new URL(checkMqttUrl(f.mqtt as string));
  if (!f.topic || f.topic.trim() === '' || /[+#]/.test(f.topic))
    throw new UsageError(
      f.topic ? `--topic must name one topic, without wildcards` : 'an MQTT topic is needed',
      {
        hint: 'give the topic the dongle publishes raw telegrams or its JSON on, e.g. --topic dsmr/raw',
      },
    );
  // Credentials written in the URL are taken out of it: only the sealed columns hold them.
  const username = f.mqttUser ?? (decodeURIComponent(url.username) || env[MQTT_USER_ENV]);
  const password = f.mqttPassword ?? (decodeURIComponent(url.password) || env[MQTT_PASSWORD_ENV]);
  url.username = '';
  url.password = '';
  return {
    kind: 'mqtt',
    url: url.toString().replace(/\/$/, ''),
    topic: f.topic.trim(),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

export interface HeardTelegrams {
  telegram: P1Telegram;
  /** Telegrams heard before the first good one, by reason. */
  rejected: Partial<Record<RejectReason, number>>;
  where: string;
}

function describeHeard(rejected: Partial<Record<RejectReason, number>>, lastError: string | null) {
  const parts = Object.entries(rejected).map(([r, n]) => `${n} × ${r.replace(/_/g, ' ')}`);
  if (parts.length > 0) return `only rejected telegrams (${parts.join(', ')})`;
  return lastError ? `nothing (${lastError})` : 'nothing';
}

/** Waits for the first telegram that passes its checks and carries the registers. */
export async function listenForTelegram(
  connection: P1Connection,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HeardTelegrams> {
  const transport = createTransport(connection);
  const rejected: Partial<Record<RejectReason, number>> = {};
  let lastError: string | null = null;
  try {
    return await new Promise<HeardTelegrams>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new ProviderError(
            `no P1 telegram in ${Math.round(timeoutMs / 1000)} s on ${transport.description}: heard ${describeHeard(rejected, lastError)}`,
            { hint: hintFor(rejected, connection) },
          ),
        );
      }, timeoutMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      });
      transport.start(
        (r) => {
          if (!r.result.ok) {
            rejected[r.result.reason] = (rejected[r.result.reason] ?? 0) + 1;
            return;
          }
          const t = r.result.telegram;
          if (t.importT1Kwh === null && t.importT2Kwh === null) return;
          clearTimeout(timer);
          resolve({ telegram: t, rejected, where: transport.description });
        },
        (e) => {
          lastError = e.message.replace(/^P1 [^:]*: /, '');
        },
      );
    });
  } finally {
    await transport.stop();
  }
}

function hintFor(rejected: Partial<Record<RejectReason, number>>, c: P1Connection): string {
  if ((rejected.crc_mismatch ?? 0) + (rejected.no_end ?? 0) > 0)
    return c.kind === 'serial'
      ? 'telegrams arrive damaged: check the baud rate (DSMR 4/5 and e-MUCS: 115200, older DSMR: 9600) and the cable'
      : 'telegrams arrive damaged: check the dongle or the ser2net settings (raw mode, 115200 8N1)';
  if (c.kind === 'mqtt')
    return 'check that the dongle publishes on that topic (mosquitto_sub -t <topic>) and the broker address';
  return 'check that the P1 port is enabled (Fluvius: activate it in the customer portal) and the dongle is powered';
}

export interface P1LinkOptions {
  building?: string | null;
  connection: P1Connection;
  timeoutMs: number;
  /** The equipment id the user expects (`--prm`). */
  expectedId?: string;
  signal?: AbortSignal;
}

export interface P1LinkResult {
  device: DeviceWithBuilding;
  telegram: P1Telegram;
  where: string;
  rejected: Partial<Record<RejectReason, number>>;
}

/** The id the meter is stored under: its equipment id, else its identification line. */
function meterIdOf(t: P1Telegram): string {
  return (t.equipmentId ?? t.header).trim().replace(/\s+/g, '_');
}

export async function linkP1Meter(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'log'>,
  opts: P1LinkOptions,
): Promise<P1LinkResult> {
  const entry = providerEntry('p1');
  const building = await resolveBuilding(deps.db, opts.building, deps.config.defaults.building);
  const c = opts.connection;
  const hasCredentials =
    c.kind === 'mqtt' && (c.username !== undefined || c.password !== undefined);
  // Refused before listening: credentials are never stored unsealed.
  const key = hasCredentials ? sealingKey(deps.config.encryptionKey) : null;
  const heard = await listenForTelegram(c, opts.timeoutMs, opts.signal);
  const prm = meterIdOf(heard.telegram);
  const problem = entry.capabilities.meterId.validate(prm);
  if (problem) throw new ProviderError(`the meter's id is unusable: ${problem}`);
  if (opts.expectedId && opts.expectedId.trim() !== prm) {
    throw new UsageError(
      `the telegrams come from meter ${prm}, not ${opts.expectedId.trim()}; nothing was stored`,
    );
  }
  const existing = await getDevice(deps.db, prm);
  if (existing) throw alreadyLinked(prm, existing.building_name);
  const id = randomUUID();
  const device = await deps.db.transaction(async (tx) => {
    const d = await insertDevice(tx, { id, buildingId: building.id, prm, provider: 'p1' });
    await insertP1Meter(tx, { deviceId: id, connection: c, header: heard.telegram.header }, key);
    return d;
  });
  deps.log.debug('P1 meter linked', { prm, via: heard.where });
  return { device, telegram: heard.telegram, where: heard.where, rejected: heard.rejected };
}
