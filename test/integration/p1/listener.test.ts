/**
 * A P1 meter's listener end to end: the simulator serving TCP, the TCP transport, the
 * parser and the accumulator, results handed on in batches that carry a resumable state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createP1Listener,
  type P1Batch,
  type P1Listener,
} from '../../../src/providers/p1/listener.js';
import { createQuarterHourAccumulator } from '../../../src/providers/p1/quarterHours.js';
import { createTransport, parseTcpAddress } from '../../../src/providers/p1/transports/index.js';
import {
  startP1Simulator,
  type RunningP1Simulator,
} from '../../../src/simulator/p1/startP1Simulator.js';

let sim: RunningP1Simulator | null = null;
let listener: P1Listener | null = null;
afterEach(async () => {
  await listener?.stop();
  await sim?.stop();
  listener = sim = null;
});

describe('P1 listener', () => {
  it('batches quarter-hours, counts damaged telegrams, reports a meter that goes quiet', async () => {
    sim = await startP1Simulator({
      start: Date.parse('2026-12-01T10:00:00Z'),
      hours: 1,
      speed: 3600,
      corruptRate: 0.05,
      seed: 11,
      tcpPort: 0,
      waitForTcpClient: true,
    });
    const batches: P1Batch[] = [];
    listener = createP1Listener({
      transport: createTransport({ kind: 'tcp', ...parseTcpAddress(`127.0.0.1:${sim.tcpPort}`) }),
      onBatch: async (b) => {
        await new Promise((r) => setTimeout(r, 5)); // a store taking its time
        batches.push(b);
      },
      flushMs: 100,
      maxBatch: 3,
      quietSeconds: 1,
      accumulator: { maxBehindSeconds: 10 * 86_400 },
    });
    listener.start();
    await sim.done;
    const end = Date.now() + 15_000;
    while (!batches.some((b) => b.events.some((e) => e.kind === 'quiet')) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const readings = batches
      .flatMap((b) => b.readings)
      .filter((r) => r.metric === 'electricity_consumption');
    expect(readings.map((r) => new Date(r.start).toISOString().slice(11, 16))).toEqual([
      '10:00',
      '10:15',
      '10:30',
      '10:45',
    ]);
    expect(batches.length).toBeGreaterThan(1);
    const rejected = batches.reduce(
      (a, b) => a + Object.values(b.rejected).reduce((x, y) => x + (y ?? 0), 0),
      0,
    );
    expect(rejected).toBe(sim.counts().corrupted);
    expect(batches.some((b) => b.events.some((e) => e.kind === 'quiet'))).toBe(true);
    expect(batches[batches.length - 1]?.latest?.equipmentId).toBe('1SAG1100042718');

    // The state saved with a batch resumes exactly where that batch ended.
    const withReadings = batches.filter((b) =>
      b.readings.some((r) => r.metric === 'electricity_consumption'),
    );
    const saved = withReadings[0]?.state;
    const resumed = createQuarterHourAccumulator({}, saved);
    expect(resumed.state()).toEqual(saved);
    const lastQuarter = withReadings[0]?.readings
      .filter((r) => r.metric === 'electricity_consumption')
      .pop();
    expect(saved?.open?.at).toBe((lastQuarter?.start as number) + 900_000);
  });

  it('bad connection settings are one-line usage errors', () => {
    expect(() => parseTcpAddress('p1-dongle')).toThrow(/Not a TCP address: 'p1-dongle'/);
    expect(() => createTransport({ kind: 'mqtt', url: 'http://x', topic: 'a' })).toThrow(
      /Not an MQTT broker URL/,
    );
    expect(() =>
      createTransport({ kind: 'mqtt', url: 'mqtt://127.0.0.1:1883', topic: ' ' }),
    ).toThrow(/topic/);
    expect(parseTcpAddress('[::1]:2000')).toEqual({ host: '::1', port: 2000 });
  });
});
