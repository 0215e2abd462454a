/** The local fake of the providers, started for trying the tool without credentials. */
import { UsageError } from '../domain/errors.js';
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
