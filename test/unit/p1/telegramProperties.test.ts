/**
 * Properties of the parser over seeded random telegrams: what the writer writes, the
 * parser reads back unchanged; any single damaged byte or any truncation is rejected.
 */
import { describe, expect, it } from 'vitest';
import { crc16Arc, crcHex } from '../../../src/providers/p1/crc.js';
import { parseTelegram } from '../../../src/providers/p1/telegram.js';
import { writeTelegram } from '../../../src/providers/p1/writeTelegram.js';
import { createPrng } from '../../../src/simulator/prng.js';
import { randomTelegram } from './randomTelegram.js';

describe('CRC-16/ARC', () => {
  it('gives the standard check value for "123456789"', () => {
    // The catalogue check value of CRC-16/ARC (init 0, reflected 0x8005, no final XOR).
    expect(crcHex(crc16Arc('123456789'))).toBe('BB3D');
  });
});

describe('telegram round trip', () => {
  it('parse(write(t)) equals t for 500 random telegrams', () => {
    const prng = createPrng(12);
    for (let i = 0; i < 500; i++) {
      const t = randomTelegram(prng);
      const r = parseTelegram(writeTelegram(t));
      if (!r.ok) throw new Error(`telegram ${i}: ${r.reason} ${r.detail}`);
      expect(r.telegram).toEqual(t);
    }
  });
});

describe('damaged telegrams', () => {
  it('any single changed byte between "/" and the end of the CRC is rejected', () => {
    const prng = createPrng(34);
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const text = writeTelegram(randomTelegram(prng));
      const end = text.lastIndexOf('!') + 5;
      const pos = prng.int(0, end - 1);
      const old = text.charCodeAt(pos);
      let replacement = prng.int(0, 255);
      if (replacement === old) replacement = (old + 1) & 0xff;
      const damaged = text.slice(0, pos) + String.fromCharCode(replacement) + text.slice(pos + 1);
      const r = parseTelegram(damaged);
      expect(r.ok, `byte ${pos} ${old}→${replacement}`).toBe(false);
      rejected++;
    }
    expect(rejected).toBe(2000);
  });

  it('a telegram cut anywhere before the end of its CRC is rejected', () => {
    const prng = createPrng(56);
    for (let i = 0; i < 300; i++) {
      const text = writeTelegram(randomTelegram(prng));
      const cut = prng.int(0, text.lastIndexOf('!') + 4);
      const r = parseTelegram(text.slice(0, cut));
      expect(r.ok, `cut at ${cut}`).toBe(false);
    }
  });

  it('names the reason: CRC mismatch, missing end, malformed CRC', () => {
    const text = writeTelegram(randomTelegram(createPrng(1)));
    const bang = text.lastIndexOf('!');
    const wrong =
      text.slice(0, bang + 1) +
      (text.slice(bang + 1, bang + 5) === '0000' ? '0001' : '0000') +
      '\r\n';
    expect(parseTelegram(wrong)).toMatchObject({ ok: false, reason: 'crc_mismatch' });
    expect(parseTelegram(text.slice(0, bang))).toMatchObject({ ok: false, reason: 'no_end' });
    expect(parseTelegram(text.slice(0, bang + 3))).toMatchObject({
      ok: false,
      reason: 'bad_crc_format',
    });
    expect(parseTelegram('hello')).toMatchObject({ ok: false, reason: 'no_start' });
  });
});

describe('timestamps', () => {
  it('the repeated October hour: S and W give instants one hour apart', () => {
    const s = parseTelegram(withTimestamp('261025023000S'));
    const w = parseTelegram(withTimestamp('261025023000W'));
    if (!s.ok || !w.ok) throw new Error('rejected');
    expect(new Date(s.telegram.timestamp as number).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(new Date(w.telegram.timestamp as number).toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });
});

function withTimestamp(ts: string): string {
  const t = randomTelegram(createPrng(2));
  const text = writeTelegram(t).replace(/0-0:1\.0\.0\(\d{12}[SW]\)/, `0-0:1.0.0(${ts})`);
  const bang = text.lastIndexOf('!');
  return `${text.slice(0, bang + 1)}${crcHex(crc16Arc(text, 0, bang + 1))}\r\n`;
}
