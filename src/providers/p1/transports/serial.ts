/**
 * Raw telegrams from a serial device: a P1 cable on USB (`/dev/ttyUSB0`), DSMR 4/5 and
 * e-MUCS settings 115200 baud, 8 data bits, no parity, 1 stop bit (DSMR 5.0.2 P1 §5.3).
 * An unplugged cable closes the port; it is reopened with backoff.
 */
import { SerialPort } from 'serialport';
import { ProviderError } from '../../../domain/errors.js';
import { TelegramSplitter } from '../framing.js';
import {
  createBackoff,
  decodePayload,
  type CommonTransportOptions,
  type OnTelegram,
  type OnTransportError,
  type TelegramTransport,
} from './types.js';

export interface SerialTransportOptions extends CommonTransportOptions {
  path: string;
  /** 115200 for DSMR 4/5 and e-MUCS; 9600 (7E1) meters of DSMR 2/3 are not supported. */
  baudRate?: number;
  initialRetryMs?: number;
  maxRetryMs?: number;
}

export function createSerialTransport(opts: SerialTransportOptions): TelegramTransport {
  const now = opts.now ?? Date.now;
  const description = `serial ${opts.path}`;
  const backoff = createBackoff(opts.initialRetryMs, opts.maxRetryMs);
  let port: SerialPort | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  function retry(onTelegram: OnTelegram, onError: OnTransportError, why: string): void {
    if (stopped) return;
    const delay = backoff.next();
    onError(new ProviderError(`P1 ${description}: ${why}; retrying in ${delay} ms`));
    timer = setTimeout(() => open(onTelegram, onError), delay);
  }

  function open(onTelegram: OnTelegram, onError: OnTransportError): void {
    const splitter = new TelegramSplitter();
    const p = new SerialPort({
      path: opts.path,
      baudRate: opts.baudRate ?? 115_200,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      autoOpen: false,
    });
    port = p;
    p.on('data', (chunk: Buffer) => {
      for (const text of splitter.push(chunk.toString('latin1'))) {
        onTelegram(decodePayload(text, now(), opts.convention));
      }
    });
    p.on('close', () => {
      if (port === p) retry(onTelegram, onError, 'port closed');
    });
    p.on('error', (e) => onError(new ProviderError(`P1 ${description}: ${e.message}`)));
    p.open((e) => {
      if (!e) return backoff.reset();
      if (port === p) {
        port = null;
        retry(onTelegram, onError, e.message);
      }
    });
  }

  return {
    description,
    start(onTelegram, onError) {
      if (!stopped) return;
      stopped = false;
      open(onTelegram, onError);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const p = port;
      port = null;
      if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
    },
  };
}
