import fs from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/p1');

/** A published example telegram, with the CRLF line ends meters send (files keep LF). */
export function fixtureTelegram(name: string): string {
  return fs.readFileSync(path.join(DIR, name), 'latin1').replace(/\r?\n/g, '\r\n');
}

export function fixtureNames(): string[] {
  return fs.readdirSync(DIR).filter((f) => f.endsWith('.txt'));
}
