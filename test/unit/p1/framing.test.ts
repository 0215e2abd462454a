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

  it('a stream that never ends a telegram does not grow without bound', () => {
    const splitter = new TelegramSplitter();
    for (let i = 0; i < 100; i++) splitter.push(`/${'x'.repeat(1000)}`);
    const t = writeTelegram(randomTelegram(createPrng(4)));
    expect(splitter.push(t)).toEqual([t]);
    expect(splitter.discarded).toBeGreaterThan(80_000);
  });
});
