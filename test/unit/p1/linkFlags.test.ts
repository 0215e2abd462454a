/**
 * The flags of `link --provider p1` and `simulator --p1` turned into a connection and
 * simulator options: one way in, what each needs, credentials out of the URL.
 */
import { describe, expect, it } from 'vitest';
import { p1SimulatorOptionsFrom } from '../../../src/commands/simulator.js';
import { UsageError } from '../../../src/domain/errors.js';
import { p1ConnectionFromFlags } from '../../../src/services/p1Link.js';

describe('link --provider p1 flags', () => {
  it('reads each way in', () => {
    expect(p1ConnectionFromFlags({ tcp: '192.168.1.20:2000' }, {})).toEqual({
      kind: 'tcp',
      host: '192.168.1.20',
      port: 2000,
    });
    expect(p1ConnectionFromFlags({ serial: '/dev/ttyUSB0', baud: 9600 }, {})).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 9600,
    });
    expect(
      p1ConnectionFromFlags({ mqtt: 'mqtt://192.168.1.10:1883', topic: 'dsmr/raw' }, {}),
    ).toEqual({ kind: 'mqtt', url: 'mqtt://192.168.1.10:1883', topic: 'dsmr/raw' });
  });

  it('takes broker credentials out of the URL, flags over environment', () => {
    expect(
      p1ConnectionFromFlags({ mqtt: 'mqtt://syndic:pa%40ss@broker:1883', topic: 't' }, {}),
    ).toEqual({
      kind: 'mqtt',
      url: 'mqtt://broker:1883',
      topic: 't',
      username: 'syndic',
      password: 'pa@ss',
    });
    const env = { KOPROGO_IOT_MQTT_USERNAME: 'envuser', KOPROGO_IOT_MQTT_PASSWORD: 'envpass' };
    expect(p1ConnectionFromFlags({ mqtt: 'mqtt://broker', topic: 't' }, env)).toMatchObject({
      username: 'envuser',
      password: 'envpass',
    });
    expect(
      p1ConnectionFromFlags({ mqtt: 'mqtt://broker', topic: 't', mqttUser: 'flag' }, env),
    ).toMatchObject({ username: 'flag', password: 'envpass' });
  });

  it('refuses what does not make a connection, saying what to give', () => {
    const bad: [Parameters<typeof p1ConnectionFromFlags>[0], RegExp][] = [
      [{}, /needs a way in/],
      [{ tcp: 'a:1', mqtt: 'mqtt://b' }, /one way in, not --mqtt and --tcp/],
      [{ tcp: 'a:1', topic: 't' }, /--topic goes with --mqtt/],
      [{ mqtt: 'mqtt://b', topic: 'dsmr/#' }, /without wildcards/],
      [{ mqtt: 'http://b', topic: 't' }, /Not an MQTT broker URL/],
      [{ serial: 'ttyUSB0' }, /not a device path/],
      [{ tcp: 'a:1', baud: 9600 }, /--baud goes with --serial/],
    ];
    for (const [flags, message] of bad) {
      expect(() => p1ConnectionFromFlags(flags, {})).toThrow(UsageError);
      expect(() => p1ConnectionFromFlags(flags, {})).toThrow(message);
    }
  });
});

describe('simulator --p1 flags', () => {
  it('maps the flags onto the simulator options', () => {
    expect(
      p1SimulatorOptionsFrom({
        mqtt: 'mqtt://127.0.0.1:1883',
        topic: 'sim/p1',
        tcpPort: '0',
        start: '2026-10-24T00:00:00+02:00',
        hours: '72',
        interval: '10',
        speed: '3600',
        corruptRate: '0.01',
        seed: '5',
        pvKw: '0',
        gas: false,
        equipmentId: '1SAG9',
      }),
    ).toEqual({
      mqtt: { url: 'mqtt://127.0.0.1:1883', topic: 'sim/p1' },
      tcpPort: 0,
      start: Date.parse('2026-10-23T22:00:00Z'),
      hours: 72,
      intervalSeconds: 10,
      speed: 3600,
      corruptRate: 0.01,
      seed: 5,
      pvKw: 0,
      gas: false,
      equipmentId: '1SAG9',
    });
    expect(() => p1SimulatorOptionsFrom({ interval: '7' })).toThrow(/must divide 900/);
    expect(() => p1SimulatorOptionsFrom({ mqtt: 'mqtt://x' })).toThrow(/go together/);
    expect(() => p1SimulatorOptionsFrom({ corruptRate: '2' })).toThrow(/--corrupt-rate/);
  });
});
