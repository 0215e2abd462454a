import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/providers/', import.meta.url));

/** A sample provider answer from test/fixtures/providers. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as unknown;
}

/** n UTC instants (ISO) from `start`, every stepMinutes. */
export function utcSeries(start: string, n: number, stepMinutes: number): string[] {
  const t0 = Date.parse(start);
  return Array.from({ length: n }, (_, i) => new Date(t0 + i * stepMinutes * 60_000).toISOString());
}
