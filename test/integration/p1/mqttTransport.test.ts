/** The MQTT transport against the Mosquitto broker on 127.0.0.1:1883, one topic per test. */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { createMqttTransport } from '../../../src/providers/p1/transports/mqtt.js';
import type { TelegramTransport } from '../../../src/providers/p1/transports/types.js';
import { writeTelegram } from '../../../src/providers/p1/writeTelegram.js';
import { createPrng } from '../../../src/simulator/prng.js';
import { randomTelegram } from '../../unit/p1/randomTelegram.js';
import { BROKER, brokerProxy, collector } from './helpers.js';

const open: TelegramTransport[] = [];
const publishers: mqtt.MqttClient[] = [];

afterEach(async () => {
  for (const t of open.splice(0)) await t.stop();
  for (const p of publishers.splice(0)) await p.endAsync(true);
});

const topic = () => `koprogo-test/p1/${randomBytes(6).toString('hex')}`;

async function publisher(): Promise<mqtt.MqttClient> {
  const p = await mqtt.connectAsync(BROKER);
  publishers.push(p);
  return p;
}

function listen(opts: Parameters<typeof createMqttTransport>[0]) {
  const c = collector();
  const t = createMqttTransport(opts);
  open.push(t);
  t.start(c.onTelegram, c.onError);
  return c;
}

/** Publishes until the subscriber has seen one message (it may not have subscribed yet). */
async function publishUntilSeen(
  p: mqtt.MqttClient,
  t: string,
  payload: string,
  c: ReturnType<typeof collector>,
): Promise<void> {
  const before = c.got.length;
  for (let i = 0; i < 100 && c.got.length === before; i++) {
    await p.publishAsync(t, payload);
    await c.waitFor(() => c.got.length > before, 'first message', 200).catch(() => {});
  }
  expect(c.got.length).toBeGreaterThan(before);
}

describe('MQTT transport', () => {
  it('raw telegrams: good ones parsed, a corrupted one handed on as rejected', async () => {
    const t = topic();
    const c = listen({ url: BROKER, topic: t });
    const p = await publisher();
    const prng = createPrng(21);
    const tele = randomTelegram(prng);
    await publishUntilSeen(p, t, writeTelegram(tele), c);
    const text = writeTelegram(randomTelegram(prng));
    await p.publishAsync(t, text.replace('0-0:96.14.0(000', '0-0:96.14.0(001'));
    await c.waitFor(() => c.got.some((g) => !g.result.ok), 'the rejected telegram');
    const first = c.got[0]?.result;
    expect(first?.ok ? first.telegram.importT1Kwh : null).toBe(tele.importT1Kwh);
    expect(c.got.find((g) => !g.result.ok)?.result).toMatchObject({
      ok: false,
      reason: 'crc_mismatch',
    });
  });

  it('DSMR-reader and HomeWizard JSON on the same topic', async () => {
    const t = topic();
    const c = listen({ url: BROKER, topic: t });
    const p = await publisher();
    const dsmrReader = JSON.stringify({
      id: 1,
      timestamp: '2026-12-01T10:15:00+01:00',
      electricity_delivered_1: '1234.567',
      electricity_delivered_2: '890.123',
      electricity_returned_1: '12.000',
      electricity_returned_2: '0.500',
      electricity_currently_delivered: '0.452',
      electricity_currently_returned: '0.000',
      phase_voltage_l1: '231.0',
      extra_device_timestamp: '2026-12-01T10:10:00+01:00',
      extra_device_delivered: '4567.891',
    });
    await publishUntilSeen(p, t, dsmrReader, c);
    await p.publishAsync(
      t,
      JSON.stringify({
        smr_version: 50,
        meter_model: 'Fluvius 253769484_A',
        unique_id: '3153414733313031303231363035',
        active_tariff: 2,
        total_power_import_t1_kwh: 100.5,
        total_power_import_t2_kwh: 200.25,
        total_power_export_t1_kwh: 3,
        total_power_export_t2_kwh: 4,
        active_power_w: -850,
        active_power_average_w: 1210,
        montly_power_peak_w: 4321,
        montly_power_peak_timestamp: 261201083000,
        total_gas_m3: 1122.333,
        gas_timestamp: 261201101000,
      }),
    );
    await c.waitFor(() => c.got.length >= 2, 'the HomeWizard message');
    const [a, b] = c.got;
    expect(a?.format).toBe('dsmr-reader');
    expect(a?.result).toMatchObject({
      ok: true,
      telegram: {
        timestamp: Date.parse('2026-12-01T09:15:00Z'),
        importT1Kwh: 1234.567,
        exportT2Kwh: 0.5,
        mbus: [
          { kind: 'gas', reading: { at: Date.parse('2026-12-01T09:10:00Z'), value: 4567.891 } },
        ],
      },
    });
    expect(b?.format).toBe('homewizard');
    expect(b?.result).toMatchObject({
      ok: true,
      telegram: {
        equipmentId: '1SAG3101021605',
        tariffPeriod: 'night',
        importT2Kwh: 200.25,
        powerExportKw: 0.85,
        demandKw: 1.21,
        monthPeak: { kw: 4.321, at: Date.parse('2026-12-01T07:30:00Z') },
        mbus: [{ reading: { value: 1122.333, at: Date.parse('2026-12-01T09:10:00Z') } }],
      },
    });
  });

  it('survives a broker restart: reconnects, subscribes again, receives again', async () => {
    const broker = new URL(BROKER);
    const proxy = await brokerProxy({ host: broker.hostname, port: Number(broker.port || 1883) });
    const t = topic();
    const c = listen({ url: `mqtt://127.0.0.1:${proxy.port}`, topic: t, reconnectMs: 100, qos: 0 });
    const p = await publisher();
    const prng = createPrng(22);
    await publishUntilSeen(p, t, writeTelegram(randomTelegram(prng)), c);
    await proxy.down();
    await c.waitFor(() => c.errors.length > 0, 'the lost connection reported');
    await proxy.up();
    await publishUntilSeen(p, t, writeTelegram(randomTelegram(prng)), c);
    expect(c.got.every((g) => g.result.ok)).toBe(true);
    expect(c.errors.some((e) => e.message.includes(`mqtt://127.0.0.1:${proxy.port}`))).toBe(true);
    await open.pop()?.stop();
    await proxy.down();
  });

  it('with a client id, telegrams published while the listener was away arrive when it returns', async () => {
    const t = topic();
    const clientId = `koprogo-test-${randomBytes(4).toString('hex')}`;
    const first = listen({ url: BROKER, topic: t, clientId });
    const p = await publisher();
    const prng = createPrng(23);
    await publishUntilSeen(p, t, writeTelegram(randomTelegram(prng)), first);
    await open.pop()?.stop();
    const queued = Array.from({ length: 5 }, () => randomTelegram(prng));
    for (const q of queued) await p.publishAsync(t, writeTelegram(q), { qos: 1 });
    const back = listen({ url: BROKER, topic: t, clientId });
    await back.waitFor(() => back.got.length >= 5, 'the queued telegrams');
    expect(back.got.map((g) => (g.result.ok ? g.result.telegram.timestamp : null))).toEqual(
      queued.map((q) => q.timestamp),
    );
    // Leave no persistent session behind on the shared broker.
    await open.pop()?.stop();
    const cleanup = await mqtt.connectAsync(BROKER, { clientId, clean: true });
    await cleanup.endAsync();
  });
});
