/**
 * Telegrams from an MQTT topic: raw telegrams (one per message), or the JSON of DSMR-reader
 * or a HomeWizard P1 meter (see dongleJson.ts), told apart per message. The client
 * reconnects after a broker restart and subscribes again on every connection, so a broker
 * that lost its sessions still delivers.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { ProviderError } from '../../../domain/errors.js';
import { decodePayload, type CommonTransportOptions, type TelegramTransport } from './types.js';

export interface MqttTransportOptions extends CommonTransportOptions {
  /** `mqtt://host:1883` or `mqtts://…`; credentials go in username/password, not here. */
  url: string;
  topic: string;
  username?: string;
  password?: string;
  /** Delay between reconnection attempts (default 1 s). */
  reconnectMs?: number;
  /** 0 or 1 (default 1: the broker keeps messages for a known session while we are away). */
  qos?: 0 | 1;
  /**
   * A stable client id makes the session persistent (clean session off): while the
   * listener is away the broker queues the topic's QoS 1 messages and delivers them on
   * return, and the accumulator places them by their own timestamps. Mosquitto keeps
   * 1000 messages per session by default (`max_queued_messages`): about 16 minutes of
   * telegrams at one a second.
   */
  clientId?: string;
}

/** The URL without any user or password it may carry, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'an invalid URL';
  }
}

export function createMqttTransport(opts: MqttTransportOptions): TelegramTransport {
  const now = opts.now ?? Date.now;
  const description = `mqtt ${safeUrl(opts.url)} topic ${opts.topic}`;
  let client: MqttClient | null = null;

  return {
    description,
    start(onTelegram, onError) {
      if (client) return;
      const c = mqtt.connect(opts.url, {
        reconnectPeriod: opts.reconnectMs ?? 1000,
        connectTimeout: 10_000,
        ...(opts.clientId ? { clientId: opts.clientId, clean: false } : {}),
        ...(opts.username !== undefined ? { username: opts.username } : {}),
        ...(opts.password !== undefined ? { password: opts.password } : {}),
      });
      client = c;
      c.on('connect', () => {
        c.subscribe(opts.topic, { qos: opts.qos ?? 1 }, (e) => {
          if (e) onError(new ProviderError(`P1 ${description}: subscribe failed: ${e.message}`));
        });
      });
      c.on('message', (_topic, payload) => {
        // JSON is UTF-8; a raw telegram is bytes, read one character per byte.
        const text = payload[0] === 0x7b ? payload.toString('utf8') : payload.toString('latin1');
        onTelegram(decodePayload(text, now(), opts.convention));
      });
      c.on('error', (e) => onError(new ProviderError(`P1 ${description}: ${e.message}`)));
      c.on('offline', () =>
        onError(new ProviderError(`P1 ${description}: broker unreachable; retrying`)),
      );
    },
    async stop() {
      const c = client;
      client = null;
      if (c) await c.endAsync(true);
    },
  };
}
