/**
 * One interface for every way telegrams come in (serial port, TCP socket, MQTT topic):
 * `start(onTelegram, onError)` then `stop()`. Each transport reconnects by itself; onError
 * hears about every lost or refused connection while it keeps trying. Rejected telegrams
 * (bad CRC, truncated, unreadable JSON) are handed on too, for the caller to count.
 */
import { parseDongleJson, type DongleJsonFormat } from '../dongleJson.js';
import { parseTelegram } from '../telegram.js';
import type { ParseResult, TariffConvention } from '../types.js';

export type PayloadFormat = 'raw' | DongleJsonFormat;

export interface ReceivedTelegram {
  /** When the telegram reached us (UTC ms); the telegram's own time is in result. */
  arrivalMs: number;
  format: PayloadFormat;
  result: ParseResult;
}

export type OnTelegram = (received: ReceivedTelegram) => void;
export type OnTransportError = (error: Error) => void;

export interface TelegramTransport {
  /** Starts listening; connection problems go to onError while the transport retries. */
  start(onTelegram: OnTelegram, onError: OnTransportError): void;
  /** Closes the connection and stops retrying. */
  stop(): Promise<void>;
  /** Where it listens, for messages: `tcp 192.168.1.20:2000` (never a password). */
  readonly description: string;
}

export interface CommonTransportOptions {
  /** Tariff numbering of the meter (default: told by the telegram, see parseTelegram). */
  convention?: TariffConvention;
  /** Clock for arrival times (tests). */
  now?: () => number;
}

/** A raw telegram or a dongle's JSON, told apart by their first character. */
export function decodePayload(
  text: string,
  arrivalMs: number,
  convention?: TariffConvention,
): ReceivedTelegram {
  const first = text.trimStart().charAt(0);
  if (first === '{') {
    const j = parseDongleJson(text, arrivalMs, convention);
    if (j.ok) return { arrivalMs, format: j.format, result: { ok: true, telegram: j.telegram } };
    return {
      arrivalMs,
      format: 'raw',
      result: { ok: false, reason: j.reason, detail: j.detail },
    };
  }
  return {
    arrivalMs,
    format: 'raw',
    result: parseTelegram(text, convention ? { convention } : {}),
  };
}

/** Exponential backoff between reconnection attempts, reset once a connection works. */
export function createBackoff(initialMs = 500, maxMs = 30_000): { next(): number; reset(): void } {
  let delay = initialMs;
  return {
    next() {
      const d = delay;
      delay = Math.min(maxMs, delay * 2);
      return d;
    },
    reset() {
      delay = initialMs;
    },
  };
}
