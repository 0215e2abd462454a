/**
 * Damage as a real P1 line shows it: one byte flipped by noise on the serial line, or a
 * telegram cut short when a dongle restarts. The CRC must catch both.
 */
import type { Prng } from '../prng.js';

export function corruptTelegram(text: string, prng: Prng): string {
  const end = text.lastIndexOf('!') + 5;
  if (prng.next() < 0.2) return text.slice(0, prng.int(1, end - 1));
  const pos = prng.int(0, end - 1);
  const old = text.charCodeAt(pos);
  // XOR with a non-zero bit pattern: the byte always changes.
  const flipped = old ^ prng.int(1, 255);
  return text.slice(0, pos) + String.fromCharCode(flipped) + text.slice(pos + 1);
}
