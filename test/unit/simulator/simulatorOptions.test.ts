import { describe, expect, it } from 'vitest';
import { makeSimulatorCommand, simulatorOptionsFrom } from '../../../src/commands/simulator.js';
import { UsageError } from '../../../src/domain/errors.js';

describe('simulator command options', () => {
  it('turns flags into simulator settings', () => {
    const o = simulatorOptionsFrom({
      port: '8089',
      seed: '7',
      deny: true,
      rate500: '0.25',
      latency: '40',
      oresIntervalMs: '0',
    });
    expect(o).toMatchObject({
      port: 8089,
      seed: 7,
      consent: 'deny',
      faults: { rate500: 0.25, latencyMs: 40 },
      quotas: { oresMinIntervalMs: 0 },
    });
  });

  it.each([
    [{ port: '70000' }, /--port must be an integer from 0 to 65535/],
    [{ rate429: 'often' }, /--rate-429 must be a number from 0 to 1/],
    [{ rate500: '0.7', rate503: '0.6' }, /must not exceed 1/],
    [{ enedisPerSecond: '0' }, /--enedis-per-second/],
    [{ latency: '-5' }, /--latency/],
  ])('refuses %o with a one-line usage error', (flags, message) => {
    expect(() => simulatorOptionsFrom(flags)).toThrow(UsageError);
    expect(() => simulatorOptionsFrom(flags)).toThrow(message);
  });

  it('refuses a bad flag value when run through commander', async () => {
    const cmd = makeSimulatorCommand().exitOverride();
    await expect(cmd.parseAsync(['--truncated-rate', '1.5'], { from: 'user' })).rejects.toThrow(
      UsageError,
    );
  });
});
