/**
 * The local fakes, started for trying the tool without credentials: the providers' APIs,
 * and a P1 meter publishing telegrams.
 */
import { ProviderError, UsageError } from '../domain/errors.js';
import {
  startP1Simulator,
  type P1SimulatorOptions,
  type RunningP1Simulator,
} from '../simulator/p1/startP1Simulator.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../simulator/server.js';

export type { Simulator, SimulatorOptions };

/** Starts the simulator; a port in use or refused is the user's to fix (exit 2). */
export async function startProviderSimulator(opts: SimulatorOptions): Promise<Simulator> {
  try {
    return await startSimulator(opts);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new UsageError(
        `cannot listen on 127.0.0.1:${opts.port}: ${code === 'EADDRINUSE' ? 'port in use' : 'permission denied'}`,
        { hint: 'choose another --port, or --port 0 for a free one' },
      );
    }
    throw e;
  }
}

export type { P1SimulatorOptions, RunningP1Simulator };

/**
 * Starts the P1 meter simulator (MQTT and/or TCP). A broker that cannot be reached is a
 * ProviderError naming it; a TCP port in use is the user's to fix.
 */
export async function startMeterSimulator(opts: P1SimulatorOptions): Promise<RunningP1Simulator> {
  if (!opts.mqtt && opts.tcpPort === undefined)
    throw new UsageError('the P1 simulator needs somewhere to send telegrams', {
      hint: 'give --mqtt URL --topic T and/or --tcp-port N (0: a free port)',
    });
  try {
    return await startP1Simulator(opts);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES')
      throw new UsageError(`cannot listen on 127.0.0.1:${opts.tcpPort}: ${err.code}`, {
        hint: 'choose another --tcp-port, or 0 for a free one',
      });
    if (opts.mqtt && (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND'))
      throw new ProviderError(
        `the MQTT broker at ${opts.mqtt.url} cannot be reached (${err.code})`,
        {
          hint: 'start a broker (mosquitto) or give another --mqtt URL',
        },
      );
    throw e;
  }
}
