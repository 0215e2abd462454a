/**
 * `simulator`: runs the local fake of Enedis and ORES on 127.0.0.1 until SIGINT/SIGTERM, and
 * prints (stdout) its URL and the environment lines that point the tool at it.
 */
import { Command } from 'commander';
import { UsageError } from '../domain/errors.js';
import {
  startProviderSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../services/simulator.js';

export interface SimulatorCommandOptions {
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
    .description(
      'run a local fake of the Enedis and ORES APIs on 127.0.0.1 (for trying and testing)',
    )
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
