import { describe, expect, it } from 'vitest';
import { parseDongleJson } from '../../../src/providers/p1/dongleJson.js';

const arrival = Date.parse('2026-12-01T09:30:12.345Z');

describe('dongle JSON', () => {
  it('HomeWizard: dated by arrival (whole second), signed power split into offtake and injection', () => {
    const r = parseDongleJson(
      JSON.stringify({
        total_power_import_t1_kwh: 1,
        total_power_import_t2_kwh: 2,
        active_power_w: 1500,
        active_tariff: 1,
      }),
      arrival,
    );
    expect(r).toMatchObject({
      ok: true,
      format: 'homewizard',
      telegram: {
        timestamp: Date.parse('2026-12-01T09:30:12Z'),
        powerImportKw: 1.5,
        powerExportKw: 0,
        tariffPeriod: 'day',
      },
    });
  });

  it('DSMR-reader values as strings are numbers; the Dutch numbering can be asked for', () => {
    const r = parseDongleJson(
      JSON.stringify({
        timestamp: '2026-07-01T12:00:00+02:00',
        electricity_delivered_1: '5.5',
        electricity_delivered_2: '6',
      }),
      arrival,
      'NL',
    );
    expect(r).toMatchObject({
      ok: true,
      telegram: {
        timestamp: Date.parse('2026-07-01T10:00:00Z'),
        importT1Kwh: 5.5,
        importT2Kwh: 6,
        convention: 'NL',
      },
    });
  });

  it('unreadable or unknown JSON is rejected with its reason', () => {
    expect(parseDongleJson('{"electricity_delivered_1": 1', arrival)).toMatchObject({
      ok: false,
      reason: 'bad_json',
    });
    expect(parseDongleJson('{"power": 1}', arrival)).toMatchObject({
      ok: false,
      reason: 'unknown_json',
    });
    expect(parseDongleJson('[1]', arrival)).toMatchObject({ ok: false, reason: 'unknown_json' });
    expect(parseDongleJson('{"electricity_delivered_1": 1}', arrival)).toMatchObject({
      ok: false,
      reason: 'unknown_json',
    });
  });
});
