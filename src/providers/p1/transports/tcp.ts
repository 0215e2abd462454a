/**
 * Raw telegrams over a TCP socket, as ser2net and many Wi-Fi dongles serve the P1 port
 * (one connection, telegrams streamed as the meter sends them). Reconnects with backoff
 * when the connection drops or is refused.
 */
import net from 'node:net';
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

export interface TcpTransportOptions extends CommonTransportOptions {
  host: string;
  port: number;
  /** First retry delay; doubles up to maxRetryMs (defaults 500 ms and 30 s). */
  initialRetryMs?: number;
  maxRetryMs?: number;
}

export function createTcpTransport(opts: TcpTransportOptions): TelegramTransport {
  const now = opts.now ?? Date.now;
  const description = `tcp ${opts.host}:${opts.port}`;
  const backoff = createBackoff(opts.initialRetryMs, opts.maxRetryMs);
  let socket: net.Socket | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  function connect(onTelegram: OnTelegram, onError: OnTransportError): void {
    const splitter = new TelegramSplitter();
    const s = net.connect({ host: opts.host, port: opts.port });
    socket = s;
    s.setEncoding('latin1');
    s.on('connect', () => backoff.reset());
    s.on('data', (chunk: string) => {
      for (const text of splitter.push(chunk))
        onTelegram(decodePayload(text, now(), opts.convention));
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      onError(new ProviderError(`P1 ${description}: ${e.code ?? e.message}`));
    });
    s.on('close', () => {
      if (stopped || socket !== s) return;
      const delay = backoff.next();
      onError(new ProviderError(`P1 ${description}: connection closed; retrying in ${delay} ms`));
      timer = setTimeout(() => connect(onTelegram, onError), delay);
    });
  }

  return {
    description,
    start(onTelegram, onError) {
      if (!stopped) return;
      stopped = false;
      connect(onTelegram, onError);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const s = socket;
      socket = null;
      if (s && !s.destroyed) {
        await new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        });
      }
    },
  };
}
