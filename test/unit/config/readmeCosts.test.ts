/** The config sketch of the README's "Costs and carbon" section is a valid configuration. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config.js';

function costsExample(): unknown {
  const readme = fs.readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Costs and carbon'));
  const block = /```json\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('no JSON example in "Costs and carbon"');
  return JSON.parse(block[1] as string);
}

describe('README, Costs and carbon', () => {
  it('gives a config file the schema takes, with contracts and surfaces by building', () => {
    const c = resolveConfig(costsExample(), { HOME: '/home/manager' }, {}, 'README');
    expect(Object.keys(c.tariffs?.plans ?? {})).toEqual(['edf-hphc', 'be-bi-horaire']);
    expect(c.tariffs?.buildings['Résidence Bruxelles P1']).toEqual([
      { validFrom: '2026-01-01', plan: 'be-bi-horaire' },
    ]);
    expect(c.buildings['Les Tilleuls']).toEqual({ surfaceM2: 2400, units: 32 });
  });
});
