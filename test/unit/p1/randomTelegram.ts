import type { Prng } from '../../../src/simulator/prng.js';
import type { P1Telegram, PhaseValues } from '../../../src/providers/p1/types.js';

/** A number at a fixed resolution (3 decimals → whole Wh), so text round-trips exactly. */
const at = (p: Prng, max: number, decimals: number): number =>
  p.int(0, max * 10 ** decimals) / 10 ** decimals;

const phase = (p: Prng): PhaseValues => ({
  voltageV: at(p, 260, 1),
  currentA: at(p, 99, 2),
  powerImportKw: at(p, 20, 3),
  powerExportKw: at(p, 20, 3),
});

/** A whole-second instant between 2020 and 2035, either side of DST changes. */
const instant = (p: Prng): number => Date.UTC(2020, 0, 1) + p.int(0, 15 * 365 * 86_400) * 1000;

/** A random but well-formed telegram, Belgian or Dutch. */
export function randomTelegram(p: Prng): P1Telegram {
  const be = p.next() < 0.5;
  const tariff = p.int(1, 2);
  return {
    header: be ? `FLU5\\${p.int(100000000, 999999999)}_A` : `ISK5\\2M550T-${p.int(1000, 9999)}`,
    convention: be ? 'BE' : 'NL',
    version: be ? '50217' : '50',
    equipmentId: `1SAG${p.int(1000000000, 9999999999)}`,
    timestamp: instant(p),
    importT1Kwh: at(p, 999_999, 3),
    importT2Kwh: at(p, 999_999, 3),
    exportT1Kwh: at(p, 999_999, 3),
    exportT2Kwh: at(p, 999_999, 3),
    tariff,
    tariffPeriod: (tariff === 1) === be ? 'day' : 'night',
    powerImportKw: at(p, 50, 3),
    powerExportKw: at(p, 50, 3),
    demandKw: be ? at(p, 50, 3) : null,
    monthPeak: be ? { closedAt: null, at: instant(p), kw: at(p, 50, 3) } : null,
    peakHistory: be
      ? Array.from({ length: p.int(0, 13) }, () => ({
          closedAt: instant(p),
          at: p.next() < 0.1 ? null : instant(p),
          kw: at(p, 50, 3),
        }))
      : [],
    l1: phase(p),
    l2: phase(p),
    l3: phase(p),
    mbus: [
      {
        channel: 1,
        deviceType: 3,
        kind: 'gas',
        equipmentId: `7FLO${p.int(1000000000, 9999999999)}`,
        reading: { at: instant(p), value: at(p, 99_999, 3), unit: 'm3' },
      },
      ...(be && p.next() < 0.5
        ? [
            {
              channel: 2,
              deviceType: 7,
              kind: 'water' as const,
              equipmentId: `8SAG${p.int(1000000000, 9999999999)}`,
              reading: { at: instant(p), value: at(p, 99_999, 3), unit: 'm3' },
            },
          ]
        : []),
    ],
    unknown: [{ obis: '0-0:96.3.10', raw: '(1)' }],
  };
}
