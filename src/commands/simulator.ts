/**
 * `simulator`: runs the local fake of Enedis and ORES on 127.0.0.1 until SIGINT/SIGTERM, and
 * prints (stdout) its URL and the environment lines that point the tool at it. With `--p1`:
 * a simulated Belgian digital meter publishing its telegrams (with DST, gas, injection and
 * occasional damage) on an MQTT topic and/or serving them on a TCP port.
 */
import { Command } from 'commander';
import { UsageError } from '../domain/errors.js';
import {
  startMeterSimulator,
  startProviderSimulator,
  type P1SimulatorOptions,
  type RunningP1Simulator,
  type Simulator,
  type SimulatorOptions,
} from '../services/simulator.js';
import { parseIntOption, parseNumberOption } from './context.js';

export interface P1SimulatorCommandOptions {
  mqtt?: string;
  topic?: string;
  tcpPort?: string;
  start?: string;
  hours?: string;
  interval?: string;
  speed?: string;
  corruptRate?: string;
  seed?: string | number;
  pvKw?: string;
  baseLoadKw?: string;
  gas?: boolean;
  equipmentId?: string;
}

/** The simulator options the flags give; a UsageError on a bad value. */
export function p1SimulatorOptionsFrom(o: P1SimulatorCommandOptions): P1SimulatorOptions {
  const opts: P1SimulatorOptions = {};
  if (o.mqtt !== undefined || o.topic !== undefined) {
    if (!o.mqtt || !o.topic)
      throw new UsageError('--mqtt and --topic go together', {
        hint: 'e.g. --mqtt mqtt://127.0.0.1:1883 --topic dsmr/raw',
      });
    opts.mqtt = { url: o.mqtt, topic: o.topic };
  }
  if (o.tcpPort !== undefined) opts.tcpPort = parseIntOption('--tcp-port', 0, 65_535)(o.tcpPort);
  if (o.start !== undefined) {
    const at = Date.parse(o.start);
    if (!Number.isFinite(at))
      throw new UsageError(`--start must be an ISO 8601 instant, got "${o.start}"`);
    opts.start = at;
  }
  if (o.hours !== undefined) opts.hours = parseNumberOption('--hours', 0.01, 24 * 3650)(o.hours);
  if (o.interval !== undefined) {
    const s = parseIntOption('--interval', 1, 900)(o.interval);
    if (900 % s !== 0)
      throw new UsageError(`--interval must divide 900 (1, 10, 30, 60…), got ${s}`);
    opts.intervalSeconds = s;
  }
  if (o.speed !== undefined) opts.speed = parseNumberOption('--speed', 0.01, 1_000_000)(o.speed);
  if (o.corruptRate !== undefined)
    opts.corruptRate = parseNumberOption('--corrupt-rate', 0, 1)(o.corruptRate);
  if (o.seed !== undefined) opts.seed = parseIntOption('--seed', 0, 2 ** 31 - 1)(String(o.seed));
  if (o.pvKw !== undefined) opts.pvKw = parseNumberOption('--pv-kw', 0, 10_000)(o.pvKw);
  if (o.baseLoadKw !== undefined)
    opts.baseLoadKw = parseNumberOption('--base-load-kw', 0.01, 10_000)(o.baseLoadKw);
  if (o.gas === false) opts.gas = false;
  if (o.equipmentId !== undefined) opts.equipmentId = o.equipmentId;
  return opts;
}

function whereTo(sim: RunningP1Simulator, opts: P1SimulatorOptions): string[] {
  const lines: string[] = [];
  if (sim.tcpPort !== null)
    lines.push(`koprogo-iot link --provider p1 --tcp 127.0.0.1:${sim.tcpPort}`);
  if (opts.mqtt)
    lines.push(`koprogo-iot link --provider p1 --mqtt ${opts.mqtt.url} --topic ${opts.mqtt.topic}`);
  return lines;
}

/** Runs the P1 simulator until its hours are over, SIGINT/SIGTERM or `signal`. */
export async function runP1Simulator(
  o: P1SimulatorCommandOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; signal?: AbortSignal },
): Promise<void> {
  const opts = p1SimulatorOptionsFrom(o);
  const sim = await startMeterSimulator(opts);
  io.stdout.write(whereTo(sim, opts).join('\n') + '\n');
  io.stderr.write(
    `P1 meter simulator: equipment id ${opts.equipmentId ?? '1SAG1100042718'}, a telegram every ` +
      `${opts.intervalSeconds ?? 1} simulated s at ×${opts.speed ?? 1}` +
      `${opts.hours !== undefined ? ` for ${opts.hours} h` : ''}. Press Ctrl-C to stop.\n`,
  );
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (io.signal?.aborted) return stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    io.signal?.addEventListener('abort', stop, { once: true });
    sim.done.then(stop, reject);
  });
  await sim.stop();
  const c = sim.counts();
  io.stderr.write(
    `P1 meter simulator stopped: ${c.sent} telegrams sent, ${c.corrupted} damaged.\n`,
  );
}

export interface SimulatorCommandOptions extends P1SimulatorCommandOptions {
  /** A P1 meter's telegrams instead of the providers' APIs. */
  p1?: boolean;
  port?: string | number;
  seed?: string | number;
  deny?: boolean;
  latency?: string | number;
  rate429?: string | number;
  rate500?: string | number;
  rate503?: string | number;
  timeoutRate?: string | number;
  malformedRate?: string | number;
  truncatedRate?: string | number;
  enedisPerSecond?: string | number;
  enedisPerHour?: string | number;
  oresIntervalMs?: string | number;
  logRequests?: boolean;
  realistic?: boolean;
}

export interface SimulatorIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Stops the simulator like a signal would (tests, embedding). */
  signal?: AbortSignal;
  /** Called once listening, with the running simulator. */
  onListening?: (sim: Simulator) => void;
}

function number(
  flag: string,
  raw: string | number | undefined,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const n = Number(s);
  const ok =
    s !== '' && Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n));
  if (!ok) {
    const what = integer ? 'an integer' : 'a number';
    throw new UsageError(`${flag} must be ${what} from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/** Turns command-line values into simulator options; throws UsageError on a bad value. */
export function simulatorOptionsFrom(o: SimulatorCommandOptions): SimulatorOptions {
  const opts: SimulatorOptions = {
    port: number('--port', o.port, 0, 65_535, true) ?? 0,
    seed: number('--seed', o.seed, 0, 2 ** 32 - 1, true) ?? 42,
    consent: o.deny ? 'deny' : 'approve',
    realistic: o.realistic === true,
  };
  const rate = (flag: string, raw: string | number | undefined) => number(flag, raw, 0, 1, false);
  const faults: NonNullable<SimulatorOptions['faults']> = {};
  const set = <K extends keyof typeof faults>(k: K, v: number | undefined) => {
    if (v !== undefined) faults[k] = v;
  };
  set('latencyMs', number('--latency', o.latency, 0, 60_000, true));
  set('rate429', rate('--rate-429', o.rate429));
  set('rate500', rate('--rate-500', o.rate500));
  set('rate503', rate('--rate-503', o.rate503));
  set('timeoutRate', rate('--timeout-rate', o.timeoutRate));
  set('malformedRate', rate('--malformed-rate', o.malformedRate));
  set('truncatedRate', rate('--truncated-rate', o.truncatedRate));
  if (
    (faults.rate429 ?? 0) +
      (faults.rate500 ?? 0) +
      (faults.rate503 ?? 0) +
      (faults.timeoutRate ?? 0) >
    1
  ) {
    throw new UsageError('--rate-429 + --rate-500 + --rate-503 + --timeout-rate must not exceed 1');
  }
  if ((faults.malformedRate ?? 0) + (faults.truncatedRate ?? 0) > 1) {
    throw new UsageError('--malformed-rate + --truncated-rate must not exceed 1');
  }
  opts.faults = faults;
  const quotas: NonNullable<SimulatorOptions['quotas']> = {};
  const perSecond = number('--enedis-per-second', o.enedisPerSecond, 1, 1_000_000, true);
  const perHour = number('--enedis-per-hour', o.enedisPerHour, 1, 100_000_000, true);
  const oresMs = number('--ores-interval-ms', o.oresIntervalMs, 0, 3_600_000, true);
  if (perSecond !== undefined) quotas.enedisPerSecond = perSecond;
  if (perHour !== undefined) quotas.enedisPerHour = perHour;
  if (oresMs !== undefined) quotas.oresMinIntervalMs = oresMs;
  opts.quotas = quotas;
  return opts;
}

/** Runs the simulator until SIGINT/SIGTERM (or io.signal), then closes it. */
export async function runSimulator(
  o: SimulatorCommandOptions,
  io: SimulatorIo = {},
): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  if (o.p1)
    return runP1Simulator(o, { stdout, stderr, ...(io.signal ? { signal: io.signal } : {}) });
  const opts = simulatorOptionsFrom(o);
  if (o.logRequests) opts.log = (line) => stderr.write(`${line}\n`);
  const sim = await startProviderSimulator(opts);
  stdout.write(
    `${sim.url}\nKOPROGO_IOT_ENEDIS_BASE_URL=${sim.url}\nKOPROGO_IOT_ORES_BASE_URL=${sim.url}\n`,
  );
  stderr.write(
    `Provider simulator (Enedis and ORES) listening on ${sim.url}, seed ${opts.seed}, consent: ${opts.consent}.\n` +
      'Any client id and secret are accepted. Press Ctrl-C to stop.\n',
  );
  io.onListening?.(sim);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (io.signal?.aborted) return stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    io.signal?.addEventListener('abort', stop, { once: true });
  });
  await sim.close();
  stderr.write('Provider simulator stopped.\n');
}

export function makeSimulatorCommand(): Command {
  return new Command('simulator')
    .description('run a local fake of the Enedis and ORES APIs, or (--p1) a P1 meter, on 127.0.0.1')
    .option('--port <n>', 'port to listen on (0: a free port)', '0')
    .option('--seed <n>', 'seed of meters, loads, anomalies and faults', '42')
    .option('--deny', 'refuse every consent (error=access_denied)')
    .option('--latency <ms>', 'delay added to every data call')
    .option('--rate-429 <f>', 'share of data calls answered 429 (0..1)')
    .option('--rate-500 <f>', 'share of data calls answered 500 (0..1)')
    .option('--rate-503 <f>', 'share of data calls answered 503 (0..1)')
    .option('--timeout-rate <f>', 'share of data calls left hanging (closed after 60 s)')
    .option('--malformed-rate <f>', 'share of 200 answers with a malformed body')
    .option('--truncated-rate <f>', 'share of 200 answers cut off mid-body')
    .option('--enedis-per-second <n>', 'Enedis quota per API path and second (default 5)')
    .option('--enedis-per-hour <n>', 'Enedis quota per API path and hour (default 1000; v5: ×10)')
    .option(
      '--ores-interval-ms <n>',
      'ORES minimum interval between calls per meter (default 2000)',
    )
    .option('--log-requests', 'print one line per request on stderr')
    .option('--p1', 'simulate a P1 meter instead: telegrams on MQTT and/or TCP')
    .option('--mqtt <url>', 'P1: publish telegrams on this broker (mqtt://127.0.0.1:1883)')
    .option('--topic <topic>', 'P1: the topic to publish raw telegrams on')
    .option('--tcp-port <n>', 'P1: serve raw telegrams on this TCP port of 127.0.0.1 (0: free)')
    .option('--start <instant>', 'P1: simulated time of the first telegram (default: now)')
    .option('--hours <h>', 'P1: stop after this many simulated hours (default: never)')
    .option('--interval <s>', 'P1: simulated seconds between telegrams (default 1)')
    .option('--speed <x>', 'P1: simulated seconds per real second (default 1)')
    .option('--corrupt-rate <f>', 'P1: share of telegrams damaged (0..1)')
    .option('--pv-kw <kw>', 'P1: peak power of the rooftop PV (default 4, 0: none)')
    .option('--base-load-kw <kw>', 'P1: average load (default 0.6)')
    .option('--no-gas', 'P1: no gas meter on the M-Bus')
    .option('--equipment-id <id>', 'P1: the meter equipment id (default 1SAG1100042718)')
    .option('--realistic', 'realistic noisy load: day-to-day variation, holidays, heating, faults')
    .addHelpText(
      'after',
      '\nPrints the URL and the KOPROGO_IOT_ENEDIS_BASE_URL / KOPROGO_IOT_ORES_BASE_URL lines on stdout.\n' +
        'Test endpoints: GET/POST /_sim/meters, GET /_sim/meters/<prm>/anomalies, GET /_sim/stats,\n' +
        'POST /_sim/faults, POST /_sim/consent {"mode":"approve"|"deny"}.',
    )
    .action(async (opts: SimulatorCommandOptions) => {
      await runSimulator(opts);
    });
}
