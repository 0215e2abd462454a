/**
 * P1 telegram parsing rate on one core: Fluvius telegrams from the simulator's meter model
 * (three phases, gas, month peak; CRC checked, every line interpreted) parsed in a loop,
 * timed in CPU seconds (the machine may be shared) and in wall-clock seconds. Also the
 * accumulator's rate, telegram to quarter-hour readings, and the daemon's RSS with 20 P1
 * meters at one telegram per second (p1Daemon.ts; BENCH_P1_MINUTES, default 10).
 */
import os from 'node:os';
import { createQuarterHourAccumulator } from '../../src/providers/p1/quarterHours.js';
import { parseTelegram } from '../../src/providers/p1/telegram.js';
import type { P1Telegram } from '../../src/providers/p1/types.js';
import { writeTelegram } from '../../src/providers/p1/writeTelegram.js';
import { createMeterModel } from '../../src/simulator/p1/meterModel.js';
import { figure, fixed, int, type Print } from './common.js';
import { runDaemonMemory } from './p1Daemon.js';

const SAMPLES = 2_000;
const ROUNDS = 100;

function timedLoop(fn: () => number): { count: number; cpuSeconds: number; wallSeconds: number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const count = fn();
  const cpu = process.cpuUsage(cpu0);
  return {
    count,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

export async function run(print: Print): Promise<void> {
  const start = Date.parse('2026-10-24T00:00:00Z');
  const model = createMeterModel(start, { seed: 9 });
  const texts = Array.from({ length: SAMPLES }, (_, i) =>
    writeTelegram(model.telegramAt(start + i * 1000)),
  );
  const bytes = texts.reduce((a, t) => a + t.length, 0) / SAMPLES;
  // Warm-up so the figure is the optimised code's, not the interpreter's.
  for (const t of texts) parseTelegram(t);

  const parse = timedLoop(() => {
    let ok = 0;
    for (let r = 0; r < ROUNDS; r++) for (const t of texts) if (parseTelegram(t).ok) ok++;
    return ok;
  });
  if (parse.count !== SAMPLES * ROUNDS) throw new Error('telegrams rejected in the bench');
  figure(
    print,
    'telegrams parsed per CPU second (one core)',
    `${int(parse.count / parse.cpuSeconds)} /s`,
    `${int(bytes)} bytes each, ${int(parse.count)} parsed`,
  );
  figure(
    print,
    'telegrams parsed per wall-clock second',
    `${int(parse.count / parse.wallSeconds)} /s`,
    `load average ${fixed(os.loadavg()[0] ?? 0, 1)} on ${os.cpus().length} CPUs`,
  );

  const parsed = texts.map((t) => {
    const r = parseTelegram(t);
    if (!r.ok) throw new Error(r.reason);
    return r.telegram;
  });
  const acc = createQuarterHourAccumulator({ maxBehindSeconds: 1e9 });
  const accumulate = timedLoop(() => {
    let pushed = 0;
    for (let r = 0; r < ROUNDS; r++) {
      // Each round continues the stream: later timestamps, registers still growing.
      const shift = r * SAMPLES * 1000;
      for (const t of parsed) {
        const moved: P1Telegram = {
          ...t,
          timestamp: (t.timestamp as number) + shift,
          importT1Kwh: (t.importT1Kwh as number) + r * 1000,
        };
        acc.push(moved, moved.timestamp as number);
        pushed++;
      }
    }
    return pushed;
  });
  figure(
    print,
    'telegrams turned into quarter-hours per CPU second',
    `${int(accumulate.count / accumulate.cpuSeconds)} /s`,
  );
  await runDaemonMemory(print);
}

// Runs on its own too: node dist-bench/test/bench/p1.js
if (import.meta.url === `file://${process.argv[1]}`) {
  await run((line) => process.stdout.write(`${line}\n`));
}
