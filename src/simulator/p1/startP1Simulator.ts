/**
 * A P1 simulator: a simulated Fluvius meter whose telegrams are published on an MQTT topic
 * and/or served on a TCP port (as ser2net serves a P1 cable), dated in simulated time. A
 * speed-up factor streams days in minutes; a corruption rate damages some telegrams. The
 * ground truth (the meter's registers at every quarter-hour boundary, and every telegram
 * sent or damaged) lets tests compare what was stored with what the meter measured.
 */
import net from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { writeTelegram } from '../../providers/p1/writeTelegram.js';
import { createPrng } from '../prng.js';
import { corruptTelegram } from './corrupt.js';
import { createMeterModel, type MeterModelOptions, type RegisterSnapshot } from './meterModel.js';

export interface P1SimulatorOptions extends MeterModelOptions {
  /** First telegram's instant (simulated time, whole seconds). Default: now. */
  start?: number;
  /** Simulated duration in hours; the simulator stops by itself after it. Default: endless. */
  hours?: number;
  /** Simulated seconds between telegrams (1 for DSMR 5 / e-MUCS; must divide 900). */
  intervalSeconds?: number;
  /** Simulated seconds per real second (1 = real time). */
  speed?: number;
  /** Share of telegrams damaged (0 to 1). */
  corruptRate?: number;
  mqtt?: { url: string; topic: string; username?: string; password?: string };
  /** Serve raw telegrams on this TCP port (0 = a free port) on 127.0.0.1. */
  tcpPort?: number;
  /** With TCP: hold the first telegram until a client is connected (tests, demos). */
  waitForTcpClient?: boolean;
}

export interface P1SimulatorCounts {
  sent: number;
  corrupted: number;
}

export interface RunningP1Simulator {
  /** The TCP port serving telegrams, or null without TCP. */
  tcpPort: number | null;
  /** Resolves when the simulated duration is over and every telegram is out. */
  done: Promise<void>;
  stop(): Promise<void>;
  /** Registers at each quarter-hour boundary telegram, in order. */
  boundaries(): RegisterSnapshot[];
  counts(): P1SimulatorCounts;
}

const MAX_BATCH = 500;

export async function startP1Simulator(opts: P1SimulatorOptions = {}): Promise<RunningP1Simulator> {
  const step = (opts.intervalSeconds ?? 1) * 1000;
  if (900_000 % step !== 0) throw new RangeError('intervalSeconds must divide 900');
  const speed = opts.speed ?? 1;
  const start = Math.floor((opts.start ?? Date.now()) / step) * step;
  const end = opts.hours === undefined ? Infinity : start + opts.hours * 3_600_000;
  const model = createMeterModel(start, opts);
  const damage = createPrng((opts.seed ?? 1) ^ 0x5eed);
  const boundaries: RegisterSnapshot[] = [];
  const counts: P1SimulatorCounts = { sent: 0, corrupted: 0 };

  // Simulated time runs from now, or from the first TCP client with waitForTcpClient.
  let realStart = Date.now();
  let clientSeen = false;
  let firstClient: () => void = () => {};
  const clientConnected = new Promise<void>((resolve) => {
    firstClient = () => {
      if (clientSeen) return;
      clientSeen = true;
      realStart = Date.now();
      resolve();
    };
  });

  let client: MqttClient | null = null;
  if (opts.mqtt) {
    client = await mqtt.connectAsync(opts.mqtt.url, {
      ...(opts.mqtt.username !== undefined ? { username: opts.mqtt.username } : {}),
      ...(opts.mqtt.password !== undefined ? { password: opts.mqtt.password } : {}),
    });
  }
  const clients = new Set<net.Socket>();
  let server: net.Server | null = null;
  let tcpPort: number | null = null;
  if (opts.tcpPort !== undefined) {
    const srv = net.createServer((s) => {
      clients.add(s);
      firstClient();
      s.on('close', () => clients.delete(s));
      s.on('error', () => s.destroy());
    });
    server = srv;
    tcpPort = await new Promise<number>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(opts.tcpPort, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port));
    });
  }

  let next = start;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  async function emit(at: number): Promise<void> {
    const telegram = model.telegramAt(at);
    if (at % 900_000 === 0) boundaries.push(model.registers());
    let text = writeTelegram(telegram);
    if (opts.corruptRate && damage.next() < opts.corruptRate) {
      text = corruptTelegram(text, damage);
      counts.corrupted++;
    }
    counts.sent++;
    for (const s of clients) s.write(text, 'latin1');
    if (client && opts.mqtt) await client.publishAsync(opts.mqtt.topic, text, { qos: 1 });
  }

  let finish: () => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    const tick = async (): Promise<void> => {
      timer = null;
      if (stopped) return resolve();
      const due = Math.min(end, start + (Date.now() - realStart) * speed);
      try {
        for (let n = 0; next <= due && n < MAX_BATCH && !stopped; n++, next += step)
          await emit(next);
      } catch (e) {
        return reject(e as Error);
      }
      if (next > end) return resolve();
      const wait = next <= due ? 0 : Math.max(1, Math.min(1000, (next - due) / speed));
      timer = setTimeout(() => void tick(), wait);
    };
    if (opts.waitForTcpClient && server) void clientConnected.then(tick);
    else void tick();
  });

  async function stop(): Promise<void> {
    stopped = true;
    if (timer) clearTimeout(timer);
    timer = null;
    finish();
    for (const s of clients) s.destroy();
    if (server) await new Promise<void>((r) => server?.close(() => r()));
    server = null;
    if (client) await client.endAsync();
    client = null;
  }

  return {
    tcpPort,
    done,
    stop,
    boundaries: () => boundaries.slice(),
    counts: () => ({ ...counts }),
  };
}
