/**
 * How the embedded engine is sized for a small host (a board with 1 GB beside the meter).
 *
 * Where the memory of an embedded open goes, measured on PGlite 0.3.14 with TimescaleDB:
 * - the compiled WebAssembly. V8 compiles PGlite's 8.9 MB module twice by default (baseline
 *   Liftoff at once, optimising TurboFan in the background); with `--liftoff-only` only the
 *   baseline code is kept, about 130 MB less, and the open is faster. The flag is read when a
 *   module is compiled, so setting it at run time before the engine loads is enough.
 * - PGlite's WebAssembly heap: PGlite starts PostgreSQL with `shared_buffers=128MB` on its own
 *   command line, which beats postgresql.conf and postgresql.auto.conf, and the emulated
 *   shared memory is zero-filled, so all of it is resident (the heap is then 174 MiB; with
 *   16 MB it is 35 MiB).
 * - per-query memory (work_mem, maintenance_work_mem) is only taken when a query needs it;
 *   it is lowered with SET so a large sort or a compression job spills to disk instead.
 */
import v8 from 'node:v8';

/** A query command runs for a second; the daemon runs for months. */
export type EngineProfile = 'short-lived' | 'long-lived';

export interface EngineSettings {
  /** PostgreSQL shared buffers; PGlite's own default is 128MB. */
  sharedBuffers: string;
  /** PostgreSQL WAL buffers; PGlite's own default is 4MB. */
  walBuffers: string;
  /**
   * WAL kept for reuse after a checkpoint; PGlite's own default is 80MB, which a backfill
   * fills (the data directory then carries ~100 MiB of WAL whatever it holds).
   */
  minWalSize: string;
  workMem: string;
  maintenanceWorkMem: string;
}

export const SMALL_HOST_SETTINGS: Readonly<Record<EngineProfile, EngineSettings>> = {
  'short-lived': {
    sharedBuffers: '16MB',
    walBuffers: '1MB',
    minWalSize: '32MB',
    workMem: '4MB',
    maintenanceWorkMem: '16MB',
  },
  'long-lived': {
    sharedBuffers: '32MB',
    walBuffers: '2MB',
    minWalSize: '32MB',
    workMem: '4MB',
    maintenanceWorkMem: '32MB',
  },
};

let baselineCompilerChosen = false;

/** The operator chose the compiler on node's command line (`node --no-liftoff-only …`). */
function compilerChosenOnCommandLine(): boolean {
  return process.execArgv.some((a) => /^--(no-)?liftoff-only$/.test(a));
}

/**
 * Keeps only V8's baseline WebAssembly code for modules compiled from now on. Process-wide
 * and one-way. Used for the daemon too: through a 24-month backfill of 5 meters it peaked at
 * 448–486 MiB with the optimising compiler and 295–334 MiB without; the backfill took about a
 * quarter longer without (101 s against 76 s), a cost paid once per meter, while a daily sync
 * is a few calls. `node --no-liftoff-only` keeps the optimising compiler.
 */
export function useBaselineWasmCompiler(): void {
  if (baselineCompilerChosen || compilerChosenOnCommandLine()) return;
  v8.setFlagsFromString('--liftoff-only');
  baselineCompilerChosen = true;
}

/**
 * PGlite builds PostgreSQL's command line from strings in its WebAssembly data segment
 * ("shared_buffers=128MB", "wal_buffers=4MB", "min_wal_size=80MB") and offers no option for
 * them. The strings
 * are rewritten in the freshly instantiated memory, before PostgreSQL reads them; a
 * replacement is never longer than the original, so nothing around it moves. An engine
 * whose strings differ is left as it is (the open still works, with PGlite's defaults).
 */
export function rewriteStartupArgument(heap: Uint8Array, from: string, to: string): boolean {
  const original = Buffer.from(`${from}\0`);
  const replacement = Buffer.from(`${to}\0`);
  if (replacement.length > original.length) return false;
  const bytes = Buffer.from(heap.buffer, heap.byteOffset, heap.byteLength);
  const at = bytes.indexOf(original);
  if (at < 0) return false;
  bytes.fill(0, at, at + original.length);
  replacement.copy(bytes, at);
  return true;
}

interface EmscriptenOptions {
  preRun?: Array<(module: { HEAPU8: Uint8Array }) => void>;
  [key: string]: unknown;
}

/** A PGlite extension that only sizes the engine: it adds a step before PostgreSQL starts. */
export function engineSizing(settings: EngineSettings) {
  return {
    name: 'engine-sizing',
    setup: async (_pg: unknown, opts: EmscriptenOptions) => ({
      emscriptenOpts: {
        ...opts,
        preRun: [
          ...(opts.preRun ?? []),
          (module: { HEAPU8: Uint8Array }) => {
            rewriteStartupArgument(
              module.HEAPU8,
              'shared_buffers=128MB',
              `shared_buffers=${settings.sharedBuffers}`,
            );
            rewriteStartupArgument(
              module.HEAPU8,
              'wal_buffers=4MB',
              `wal_buffers=${settings.walBuffers}`,
            );
            rewriteStartupArgument(
              module.HEAPU8,
              'min_wal_size=80MB',
              `min_wal_size=${settings.minWalSize}`,
            );
          },
        ],
      },
    }),
  };
}

/** The per-session settings, applied with SET once the engine is up. */
export function sessionSettingsSql(settings: EngineSettings): string {
  return [
    `SET work_mem = '${settings.workMem}'`,
    `SET maintenance_work_mem = '${settings.maintenanceWorkMem}'`,
  ].join('; ');
}
