/**
 * `link --provider p1` as a user runs it: the built CLI against the P1 simulator's TCP
 * server (as ser2net serves a P1 cable), and against a TCP server that sends only damaged
 * telegrams or nothing. Embedded database in a temporary data directory.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/domain/errors.js';
import {
  startP1Simulator,
  type RunningP1Simulator,
} from '../../../src/simulator/p1/startP1Simulator.js';
import { runCli } from '../../helpers/cli.js';

let dataDir: string;
let sim: RunningP1Simulator;
const env = () => ({
  KOPROGO_IOT_DATA_DIR: dataDir,
  KOPROGO_IOT_CONFIG: undefined,
  DATABASE_URL: undefined,
});

/** A TCP server that sends each client `payload` once a second. */
async function tcpSending(payload: string): Promise<{ port: number; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => s.destroy());
    if (payload) {
      const t = setInterval(() => s.write(payload, 'latin1'), 200);
      timers.add(t);
      s.on('close', () => clearInterval(t));
    }
  });
  const port = await new Promise<number>((resolve) =>
    srv.listen(0, '127.0.0.1', () => resolve((srv.address() as net.AddressInfo).port)),
  );
  return {
    port,
    close: () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      return new Promise((r) => srv.close(() => r()));
    },
  };
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-p1link-'));
  const added = await runCli(
    ['buildings', 'add', 'Residentie Schelde', '--timezone', 'Europe/Brussels'],
    { env: env() },
  );
  expect(added.code).toBe(0);
  sim = await startP1Simulator({ tcpPort: 0, speed: 1, equipmentId: '1SAG1100042718', seed: 3 });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('koprogo-iot link --provider p1', () => {
  it('links the meter heard on a TCP socket and shows its readings', async () => {
    const r = await runCli(
      ['link', '--provider', 'p1', '--tcp', `127.0.0.1:${sim.tcpPort}`, '--timeout', '20'],
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Linked P1 meter 1SAG1100042718 to building "Residentie Schelde"');
    expect(r.stdout).toMatch(/offtake +day \d+\.\d{3} kWh, night \d+\.\d{3} kWh/);
    expect(r.stdout).toMatch(/gas +\d+(\.\d+)? m3/);

    const devices = await runCli(['devices', '--json'], { env: env() });
    const doc = JSON.parse(devices.stdout) as { devices: Array<Record<string, unknown>> };
    expect(doc.devices).toEqual([
      expect.objectContaining({ prm: '1SAG1100042718', provider: 'p1', status: 'active' }),
    ]);
  }, 60_000);

  it('refuses to link the same meter twice (exit 10), storing nothing more', async () => {
    const r = await runCli(
      ['link', '--provider', 'p1', '--tcp', `127.0.0.1:${sim.tcpPort}`, '--timeout', '20'],
      { env: env() },
    );
    expect(r.code).toBe(EXIT.CONFLICT);
    expect(r.stderr).toContain(
      'meter 1SAG1100042718 is already linked to building "Residentie Schelde"',
    );
  }, 60_000);

  it('says what it heard when no telegram passes its CRC in time (exit 6)', async () => {
    const damaged = await tcpSending(
      '/FLU5\\253769484_A\r\n\r\n1-0:1.8.1(000001.000*kWh)\r\n!0000\r\n',
    );
    try {
      const r = await runCli(
        ['link', '--provider', 'p1', '--tcp', `127.0.0.1:${damaged.port}`, '--timeout', '2'],
        { env: env() },
      );
      expect(r.code).toBe(EXIT.PROVIDER);
      expect(r.stderr).toMatch(
        /no P1 telegram in 2 s on tcp 127\.0\.0\.1:\d+: heard only rejected telegrams \(\d+ × crc mismatch\)/,
      );
    } finally {
      await damaged.close();
    }
    const silent = await tcpSending('');
    try {
      const r = await runCli(
        ['link', '--provider', 'p1', '--tcp', `127.0.0.1:${silent.port}`, '--timeout', '1'],
        { env: env() },
      );
      expect(r.code).toBe(EXIT.PROVIDER);
      expect(r.stderr).toMatch(/heard nothing/);
    } finally {
      await silent.close();
    }
  }, 60_000);

  it('refuses bad flags with a hint (exit 2)', async () => {
    const none = await runCli(['link', '--provider', 'p1'], { env: env() });
    expect(none.code).toBe(EXIT.USAGE);
    expect(none.stderr).toContain('a P1 meter needs a way in');
    expect(none.stderr).toContain('--mqtt URL --topic T, --tcp HOST:PORT or --serial');
    const both = await runCli(
      ['link', '--provider', 'p1', '--tcp', 'x:1', '--serial', '/dev/ttyUSB0'],
      { env: env() },
    );
    expect(both.code).toBe(EXIT.USAGE);
    expect(both.stderr).toContain('give one way in, not --tcp and --serial');
    const port = await runCli(['link', '--provider', 'p1', '--tcp', 'dongle.local'], {
      env: env(),
    });
    expect(port.code).toBe(EXIT.USAGE);
    expect(port.stderr).toContain("Not a TCP address: 'dongle.local'");
    const topic = await runCli(['link', '--provider', 'p1', '--mqtt', 'mqtt://127.0.0.1:1883'], {
      env: env(),
    });
    expect(topic.code).toBe(EXIT.USAGE);
    expect(topic.stderr).toContain('an MQTT topic is needed');
    const ores = await runCli(['link', '--provider', 'ores', '--tcp', '127.0.0.1:2000'], {
      env: env(),
    });
    expect(ores.code).toBe(EXIT.USAGE);
    expect(ores.stderr).toContain('are for --provider p1');
  }, 60_000);
});
