/** The pricing core stays pure: it imports only its own files, src/domain, zod and luxon. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/tariffs');
const ALLOWED = [/^\.\/[\w.]+\.js$/, /^\.\.\/domain\/[\w.]+\.js$/, /^zod$/, /^luxon$/];

describe('src/tariffs', () => {
  it('imports nothing that touches the world', () => {
    const offending: string[] = [];
    for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(DIR, file), 'utf8');
      for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm))
        if (!ALLOWED.some((re) => re.test(m[1] as string))) offending.push(`${file}: ${m[1]}`);
      if (/\bprocess\./.test(text)) offending.push(`${file}: process`);
    }
    expect(offending).toEqual([]);
  });
});
