/**
 * The transport a P1 meter's stored settings describe: what `link --provider p1` checks and
 * the daemon keeps open. Bad settings are a UsageError that says what to write.
 */
import { UsageError } from '../../../domain/errors.js';
import { createMqttTransport } from './mqtt.js';
import { createSerialTransport } from './serial.js';
import { createTcpTransport } from './tcp.js';
import type { CommonTransportOptions, TelegramTransport } from './types.js';

export type P1Connection =
  | {
      kind: 'mqtt';
      url: string;
      topic: string;
      username?: string;
      password?: string;
      /** A stable id keeps a persistent session (see MqttTransportOptions.clientId). */
      clientId?: string;
    }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'serial'; path: string; baudRate?: number };

/** `HOST:PORT` (or `[v6]:PORT`) of `--tcp`. */
export function parseTcpAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65_535) {
    throw new UsageError(`Not a TCP address: '${text}'`, {
      hint: 'Give HOST:PORT, e.g. --tcp 192.168.1.20:2000 (ser2net often serves the P1 port on 2000).',
    });
  }
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Checks an MQTT broker URL of `--mqtt`. */
export function checkMqttUrl(url: string): string {
  let u: URL | null;
  try {
    u = new URL(url);
  } catch {
    u = null;
  }
  if (!u || !['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:'].includes(u.protocol)) {
    throw new UsageError(`Not an MQTT broker URL: '${url}'`, {
      hint: 'Give mqtt://HOST:1883 (or mqtts://HOST:8883); put the user and password in --mqtt-user and the environment.',
    });
  }
  return url;
}

export function createTransport(
  c: P1Connection,
  common: CommonTransportOptions = {},
): TelegramTransport {
  switch (c.kind) {
    case 'mqtt':
      if (c.topic.trim() === '')
        throw new UsageError('An MQTT topic is needed', {
          hint: 'Give --topic, e.g. --topic dsmr/raw',
        });
      return createMqttTransport({ ...common, ...c, url: checkMqttUrl(c.url) });
    case 'tcp':
      return createTcpTransport({ ...common, host: c.host, port: c.port });
    case 'serial':
      return createSerialTransport({
        ...common,
        path: c.path,
        ...(c.baudRate ? { baudRate: c.baudRate } : {}),
      });
  }
}
