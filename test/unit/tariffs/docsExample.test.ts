/** The configuration example of docs/costs.md is valid and prices what it says. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scheduleFor, tariffPlansFromRawConfig } from '../../../src/tariffs/config.js';
import { priceBill } from '../../../src/tariffs/price.js';
import { parseTempoCalendar } from '../../../src/tariffs/tempoCalendar.js';
import { BRUSSELS, PARIS, localStart, series } from './build.js';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/costs.md');

function blocks(lang: string): string[] {
  const text = fs.readFileSync(DOC, 'utf8');
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map(
    (m) => m[1] as string,
  );
}

describe('docs/costs.md', () => {
  const tariffs = tariffPlansFromRawConfig(JSON.parse(blocks('json')[0] as string));

  it('holds a valid tariffs section with every kind of French plan and a Belgian one', () => {
    expect(Object.keys(tariffs.plans)).toEqual([
      'edf-base',
      'edf-hphc',
      'edf-tempo',
      'fluvius-single',
    ]);
    expect(parseTempoCalendar(blocks('csv')[0] as string).get('2026-01-16')).toBe('red');
  });

  it("prices Les Tilleuls' contract change on 16 March", () => {
    const bill = priceBill({
      plans: tariffs.plans,
      schedule: scheduleFor(tariffs, { id: 'x', name: 'Les Tilleuls' }, null),
      zone: PARIS,
      from: localStart('2026-03-15', PARIS),
      to: localStart('2026-03-17', PARIS),
      readings: series('2026-03-15', '2026-03-17', PARIS, 1800, () => 0.5),
    });
    expect(bill.segments.map((s) => s.plan)).toEqual(['edf-base', 'edf-hphc']);
    // 15 March under edf-base (2026-02-01 version): 24 kWh × 0.1940 = 4.656 → 4.66.
    expect(bill.lines.find((l) => l.label === 'Energy base')?.amount).toBe('4.66');
  });

  it('prices the Belgian plan with its monthly carbon profile', () => {
    const bill = priceBill({
      plans: tariffs.plans,
      schedule: scheduleFor(tariffs, { id: 'x', name: 'Maison Molière' }, null),
      zone: BRUSSELS,
      from: localStart('2026-06-01', BRUSSELS),
      to: localStart('2026-06-02', BRUSSELS),
      readings: series('2026-06-01', '2026-06-02', BRUSSELS, 900, () => 0.25),
      carbon: tariffs.carbon,
    });
    // 24 kWh in June at 120 g/kWh = 2.880 kg.
    expect(bill.carbon.kgCo2e).toBe('2.880');
    expect(bill.lines.map((l) => l.kind)).toContain('capacity');
  });
});
