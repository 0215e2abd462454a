/**
 * Published example telegrams (sources in test/fixtures/p1/README.md): their CRCs must
 * verify with our CRC-16/ARC, and their values must come out in the right fields.
 */
import { describe, expect, it } from 'vitest';
import { parseTelegram } from '../../../src/providers/p1/telegram.js';
import { fixtureNames, fixtureTelegram } from './fixtures.js';

const parse = (name: string) => {
  const r = parseTelegram(fixtureTelegram(name));
  if (!r.ok) throw new Error(`${name}: ${r.reason} ${r.detail}`);
  return r.telegram;
};

describe('published P1 telegrams', () => {
  it.each(fixtureNames())('%s: its CRC verifies', (name) => {
    const r = parseTelegram(fixtureTelegram(name));
    expect(r.ok ? 'ok' : `${r.reason}: ${r.detail}`).toBe('ok');
  });

  it('Fluvius e-MUCS 1.7.1 summer telegram: registers, demand, peaks, gas and water', () => {
    const t = parse('fluvius-emucs-171.txt');
    expect(t.header).toBe('FLU5\\253769484_A');
    expect(t.convention).toBe('BE');
    expect(t.version).toBe('50217');
    expect(t.equipmentId).toBe('1SAG3101021605');
    // 200512135409S: 13:54:09 local summer time = 11:54:09 UTC
    expect(new Date(t.timestamp as number).toISOString()).toBe('2020-05-12T11:54:09.000Z');
    expect([t.importT1Kwh, t.importT2Kwh, t.exportT1Kwh, t.exportT2Kwh]).toEqual([
      0.034, 15.758, 0, 0.011,
    ]);
    expect(t.tariff).toBe(1);
    expect(t.tariffPeriod).toBe('day');
    expect(t.demandKw).toBe(2.351);
    expect(t.monthPeak).toEqual({
      closedAt: null,
      at: Date.parse('2020-05-09T11:45:58Z'),
      kw: 2.589,
    });
    expect(t.peakHistory.map((p) => p.kw)).toEqual([3.695, 5.98, 4.318]);
    expect(new Date(t.peakHistory[2]?.at as number).toISOString()).toBe('2020-02-10T02:54:21.000Z');
    expect(t.l1).toEqual({ voltageV: 234.7, currentA: 0, powerImportKw: 0, powerExportKw: 0 });
    const gas = t.mbus.find((m) => m.kind === 'gas');
    expect(gas?.reading).toEqual({
      at: Date.parse('2020-05-12T11:45:58Z'),
      value: 112.384,
      unit: 'm3',
    });
    expect(gas?.equipmentId).toBe('7FLO2119033733');
    const water = t.mbus.find((m) => m.kind === 'water');
    expect(water?.deviceType).toBe(7);
    expect(water?.reading?.value).toBe(872.234);
    // Codes outside the parser's table are kept as sent.
    expect(t.unknown).toContainEqual({ obis: '0-0:17.0.0', raw: '(999.9*kW)' });
    expect(t.unknown).toContainEqual({ obis: '0-1:24.4.0', raw: '(1)' });
  });

  it('Fluvius winter telegram: W flag, a month without a peak keeps a null date', () => {
    const t = parse('fluvius-emucs-171-winter.txt');
    expect(new Date(t.timestamp as number).toISOString()).toBe('2023-11-02T11:15:48.000Z');
    expect(t.peakHistory).toHaveLength(4);
    expect(t.peakHistory[0]).toEqual({
      closedAt: Date.parse('2023-07-31T22:00:00Z'),
      at: null,
      kw: 0,
    });
    expect(t.monthPeak?.kw).toBe(3.064);
    expect(t.mbus.find((m) => m.kind === 'water')?.reading?.at).toBe(
      Date.parse('2023-11-02T11:15:32Z'),
    );
  });

  it('Dutch DSMR 5 (Iskra): Dutch tariff numbering, gas on 24.2.1, absent device ignored', () => {
    const t = parse('dsmr50-two-mbus.txt');
    expect(t.convention).toBe('NL');
    expect(t.version).toBe('50');
    expect(t.tariff).toBe(1);
    expect(t.tariffPeriod).toBe('night');
    expect(t.l3.voltageV).toBe(222.9);
    const gas = t.mbus.filter((m) => m.reading !== null);
    expect(gas).toHaveLength(1);
    expect(gas[0]?.channel).toBe(2);
    expect(gas[0]?.kind).toBe('gas');
    expect(gas[0]?.reading?.value).toBe(246.138);
  });

  it('Dutch DSMR 4.2 (Kaifa): plain-digit equipment id kept, hourly gas', () => {
    const kaifa = parse('dsmr42-kaifa.txt');
    expect(kaifa.header).toBe('KFM5KAIFA-METER');
    expect(kaifa.version).toBe('42');
    expect(kaifa.importT1Kwh).toBe(1581.123);
    expect(kaifa.equipmentId).toBe('3960221976967177082151037881335713');
    expect(kaifa.l2.currentA).toBe(6);
    expect(kaifa.mbus[0]?.reading).toEqual({
      at: Date.parse('2016-11-29T19:00:00Z'),
      value: 981.443,
      unit: 'm3',
    });
  });

  it('a published telegram with one register removed is rejected for its CRC', () => {
    const text = fixtureTelegram('fluvius-emucs-171.txt').replace(
      '1-0:1.8.1(000000.034*kWh)\r\n',
      '',
    );
    const r = parseTelegram(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('crc_mismatch');
  });
});
