/** The demo's contracts: valid, and the Belgian P1 building's one carries the capacity tariff. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';
import {
  BELGIAN_DEMO_BUILDING,
  DEMO_BUILDINGS,
  DEMO_TARIFFS,
  FRENCH_DEMO_BUILDING,
} from '../../../src/demo/demoTariffs.js';
import { contractOf } from '../../../src/tariffs/index.js';

describe('demo tariffs', () => {
  const c = resolveConfig(
    { tariffs: DEMO_TARIFFS, buildings: DEMO_BUILDINGS },
    { HOME: '/home/demo' },
    {},
    null,
  );
  const tariffs = c.tariffs as NonNullable<typeof c.tariffs>;

  it('puts the French building on HP/HC and the Belgian P1 one on bi-horaire with capacity', () => {
    const fr = contractOf(tariffs, { id: 'x', name: FRENCH_DEMO_BUILDING })?.[0]?.plan as string;
    const be = contractOf(tariffs, { id: 'y', name: BELGIAN_DEMO_BUILDING })?.[0]?.plan as string;
    expect(tariffs.plans[fr]?.kind).toBe('hp-hc');
    expect(tariffs.plans[be]?.kind).toBe('be-bi-horaire');
    expect(tariffs.plans[be]?.versions[0]?.capacity?.minimumKw).toBe('2.5');
    expect(BELGIAN_DEMO_BUILDING).toBe('Résidence Bruxelles P1');
  });
});
