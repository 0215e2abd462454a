/**
 * The provider registry: each provider's declared capabilities, meter-id formats and limiter
 * key, and what an unknown name gets.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/domain/errors.js';
import { textMeterId } from '../../../src/providers/meterIds.js';
import {
  createProvider,
  defaultProviderSettings,
  findProvider,
  providerEntry,
  providerNames,
  pulledProviderName,
  rateLimiterKey,
  validateMeterId,
} from '../../../src/providers/index.js';

describe('provider registry', () => {
  it('lists the providers and what each can do', () => {
    expect(providerNames()).toEqual(['enedis', 'ores', 'p1']);
    expect(providerEntry('enedis').capabilities).toMatchObject({
      link: 'enedis-consent',
      flow: 'pull',
      rateLimitKey: 'application',
      tokensPerMeter: false,
      canRefresh: false,
      canRevoke: false,
    });
    expect(providerEntry('ores').capabilities).toMatchObject({
      link: 'oauth-code-pkce',
      flow: 'pull',
      rateLimitKey: 'building',
      tokensPerMeter: true,
      canRefresh: true,
      canRevoke: true,
    });
    expect(providerEntry('p1').capabilities).toMatchObject({
      link: 'local-connection',
      flow: 'push',
      tokensPerMeter: false,
      canRevoke: false,
    });
    expect(providerEntry('p1').createPullAdapter).toBeUndefined();
  });

  it('names the P1 meter by its equipment id and refuses to pull from it', () => {
    expect(validateMeterId('p1', '1SAG3101121898')).toBeNull();
    expect(validateMeterId('p1', 'x'.repeat(97))).toMatch(/longer than 96/);
    expect(() => pulledProviderName('p1')).toThrow(/pushes its readings/);
    expect(pulledProviderName('ores')).toBe('ores');
  });

  it('refuses an unknown provider with the names it knows', () => {
    expect(findProvider('p2')).toBeUndefined();
    expect(() => providerEntry('fluvius')).toThrow(UsageError);
    expect(() => providerEntry('fluvius')).toThrow(/unknown provider "fluvius".*enedis, ores, p1/);
  });

  it('checks meter ids by the provider format', () => {
    expect(validateMeterId('enedis', '12345678901234')).toBeNull();
    expect(validateMeterId('enedis', '541448000000000001')).toBe(
      'PRM must be 14 digits for Enedis, got 18: 541448000000000001',
    );
    expect(validateMeterId('ores', '541448000000000001')).toBeNull();
    expect(validateMeterId('ores', '12345678901234')).toBeNull();
    expect(validateMeterId('ores', '1234')).toBe(
      'PRM must be 14 digits (France) or 18 digits (Belgium), got 4: 1234',
    );
    expect(validateMeterId('ores', '12a4')).toBe('PRM must contain only digits: 12a4');
  });

  it('offers a free-text id format for meters named by their equipment id', () => {
    const format = textMeterId('equipment id', 96);
    // A Fluvius 0-0:96.1.1 value: hex-encoded ASCII, longer than any PRM.
    expect(format.validate('3153414733313031313231383938')).toBeNull();
    expect(format.validate('')).toBe('equipment id cannot be empty');
    expect(format.validate('a b')).toBe('equipment id must be printable ASCII without spaces');
    expect(format.validate('x'.repeat(97))).toMatch(/longer than 96 characters/);
  });

  it('spaces ORES calls per building and Enedis calls for the whole application', () => {
    expect(rateLimiterKey('ores', { building_id: 'b-7' })).toBe('b-7');
    expect(rateLimiterKey('enedis', { building_id: 'b-7' })).toBeUndefined();
  });

  it('builds the adapter that matches the settings', () => {
    const ores = createProvider({ ...defaultProviderSettings('ores'), clientId: 'x' });
    expect(ores.name).toBe('ores');
    expect(ores.settings.timeZone).toBe('Europe/Brussels');
    expect(createProvider(defaultProviderSettings('enedis')).name).toBe('enedis');
  });
});
