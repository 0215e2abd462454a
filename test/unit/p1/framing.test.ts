import { describe, expect, it } from 'vitest';
import { TelegramSplitter } from '../../../src/providers/p1/framing.js';
import { parseTelegram } from '../../../src/providers/p1/telegram.js';
import { writeTelegram } from '../../../src/providers/p1/writeTelegram.js';
import { createPrng } from '../../../src/simulator/prng.js';
import { randomTelegram } from './randomTelegram.js';

describe('telegram framing on a byte stream', () => {
  it('finds every telegram whatever the chunk sizes, dropping noise between them', () => {
    const prng = createPrng(3);
    const telegrams = Array.from({ length: 20 }, () => writeTelegram(randomTelegram(prng)));
    const stream = telegrams
      .map((t, i) => (i % 3 === 0 ? `\x00\xff junk ${i}!\r\n` : '') + t)
      .join('');
    const splitter = new TelegramSplitter();
    const found: string[] = [];
    for (let i = 0; i < stream.length;) {
      const n = prng.int(1, 300);
      found.push(...splitter.push(stream.slice(i, i + n)));
      i += n;
    }
    expect(found).toEqual(telegrams);
    expect(found.every((t) => parseTelegram(t).ok)).toBe(true);
    expect(splitter.discarded).toBeGreaterThan(0);
  });

  it('a telegram cut short is handed on as a fragment the parser rejects, then framing goes on', () => {
    const prng = createPrng(5);
    const [a, b, c] = Array.from({ length: 3 }, () => writeTelegram(randomTelegram(prng))) as [
      string,
      string,
      string,
    ];
    const cut = b.slice(0, 200);
    const found = new TelegramSplitter().push(a + cut + c);
    expect(found).toEqual([a, cut, c]);
    expect(found.map((t) => parseTelegram(t).ok)).toEqual([true, false, true]);
    expect(parseTelegram(cut)).toMatchObject({ reason: 'no_end' });
  });

  it('a stream that never ends a telegram does not grow without bound', () => {
    const splitter = new TelegramSplitter();
    const fragments: string[] = [];
    for (let i = 0; i < 100; i++) fragments.push(...splitter.push(`/${'x'.repeat(1000)}`));
    const t = writeTelegram(randomTelegram(createPrng(4)));
    const last = splitter.push(t);
    fragments.push(...last.slice(0, -1));
    expect(last[last.length - 1]).toBe(t);
    expect(fragments).toHaveLength(100);
    expect(fragments.every((f) => !parseTelegram(f).ok)).toBe(true);
  });
});
