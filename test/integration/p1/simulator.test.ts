/**
 * The P1 simulator end to end through the real transports: three simulated days across the
 * October change streamed over MQTT, turned into quarter-hours by the accumulator, checked
 * against the simulator's own registers; and its TCP server read by the TCP transport.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { localDate } from '../../../src/providers/p1/p1Time.js';
import {
  createQuarterHourAccumulator,
  type P1Reading,
} from '../../../src/providers/p1/quarterHours.js';
import { createMqttTransport } from '../../../src/providers/p1/transports/mqtt.js';
import { createTcpTransport } from '../../../src/providers/p1/transports/tcp.js';
import type { TelegramTransport } from '../../../src/providers/p1/transports/types.js';
import {
  startP1Simulator,
  type RunningP1Simulator,
} from '../../../src/simulator/p1/startP1Simulator.js';
import { BROKER, collector } from './helpers.js';

let sim: RunningP1Simulator | null = null;
let transport: TelegramTransport | null = null;
afterEach(async () => {
  await transport?.stop();
  await sim?.stop();
  transport = sim = null;
});

describe('P1 simulator', () => {
  it('3 simulated days over MQTT: daily totals equal the meter registers, damaged telegrams all rejected', async () => {
    const topic = `koprogo-test/p1sim/${randomBytes(6).toString('hex')}`;
    const c = collector();
    transport = createMqttTransport({ url: BROKER, topic });
    let connected = false;
    transport.start(c.onTelegram, c.onError);
    // Wait until the subscription is live: a probe message on the topic must come back.
    const probe = await import('mqtt').then((m) => m.default.connectAsync(BROKER));
    for (let i = 0; i < 100 && !connected; i++) {
      await probe.publishAsync(topic, 'probe');
      await c.waitFor(() => c.got.length > 0, 'probe', 100).catch(() => {});
      connected = c.got.length > 0;
    }
    await probe.endAsync();
    expect(connected).toBe(true);
    const probes = c.got.length;

    sim = await startP1Simulator({
      start: Date.parse('2026-10-23T22:00:00Z'), // local midnight, 24 October
      hours: 73, // the 25th has 25 hours
      intervalSeconds: 30,
      speed: 1e9,
      corruptRate: 0.02,
      seed: 5,
      mqtt: { url: BROKER, topic },
    });
    await sim.done;
    const counts = sim.counts();
    await c.waitFor(() => c.got.length - probes >= counts.sent, 'every telegram', 60_000);

    const received = c.got.slice(probes);
    const rejected = received.filter((r) => !r.result.ok).length;
    expect(counts.corrupted).toBeGreaterThan(50);
    expect(rejected).toBe(counts.corrupted);

    const acc = createQuarterHourAccumulator();
    const readings: P1Reading[] = [];
    const events: unknown[] = [];
    for (const r of received) {
      if (r.result.ok)
        readings.push(
          ...acc.push(r.result.telegram, r.result.telegram.timestamp as number).readings,
        );
    }
    expect(events).toEqual([]);
    const truth = sim.boundaries();
    let daysChecked = 0;
    for (const day of ['2026-10-24', '2026-10-25', '2026-10-26']) {
      const quarters = readings.filter(
        (r) => r.metric === 'electricity_consumption' && localDate(r.start) === day,
      );
      expect(quarters.length).toBe(day === '2026-10-25' ? 100 : 96);
      const first = truth.find((b) => b.at === quarters[0]?.start);
      const last = truth.find(
        (b) => b.at === (quarters[quarters.length - 1]?.start as number) + 900_000,
      );
      // A damaged boundary telegram is interpolated from its neighbours, so compare where both are known.
      if (!first || !last) continue;
      const total = quarters.reduce((a, r) => a + r.value, 0);
      const registers =
        last.importT1Kwh + last.importT2Kwh - (first.importT1Kwh + first.importT2Kwh);
      expect(Math.abs(total - registers)).toBeLessThan(1e-6);
      daysChecked++;
    }
    expect(daysChecked).toBeGreaterThanOrEqual(2);
    // The meter's own month peak (1-0:1.6.0) is the highest quarter-hour average demand.
    const lastOk = received.filter((r) => r.result.ok).pop()?.result;
    const meterPeak = lastOk?.ok ? lastOk.telegram.monthPeak?.kw : undefined;
    const demand = readings.filter((r) => r.metric === 'electricity_demand').map((r) => r.value);
    expect(meterPeak).toBeGreaterThan(0);
    expect(Math.abs(Math.max(...demand) - (meterPeak as number))).toBeLessThan(0.05);
    expect(readings.some((r) => r.metric === 'electricity_production' && r.value > 0)).toBe(true);
    expect(readings.some((r) => r.metric === 'gas_consumption' && r.value > 0)).toBe(true);
  });

  it('serves telegrams on TCP in simulated time', async () => {
    sim = await startP1Simulator({
      start: Date.parse('2026-03-29T00:30:00Z'),
      speed: 120,
      tcpPort: 0,
    });
    const c = collector();
    transport = createTcpTransport({ host: '127.0.0.1', port: sim.tcpPort as number });
    transport.start(c.onTelegram, c.onError);
    await c.waitFor(() => c.got.length >= 5, 'five telegrams');
    const stamps = c.got.map((g) => (g.result.ok ? g.result.telegram.timestamp : null));
    expect(stamps.every((s) => s !== null && s >= Date.parse('2026-03-29T00:30:00Z'))).toBe(true);
    // One simulated second apart, whatever the real pace.
    expect((stamps[1] as number) - (stamps[0] as number)).toBe(1000);
    const t = c.got[0]?.result;
    expect(t?.ok ? t.telegram.header.startsWith('FLU5') : false).toBe(true);
  });
});
