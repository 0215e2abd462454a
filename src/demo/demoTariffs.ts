/**
 * The demo's tariff plans: an HP/HC contract for the French (Enedis) building and a
 * Belgian bi-horaire contract with the capacity tariff for the Belgian P1 building, so
 * that `report` shows a bill estimate and the peak for both. A contract applies to the
 * building of that name once it exists. The prices have the shape of the 2025–2026
 * regulated offers and are for the demonstration only.
 */
export const FRENCH_DEMO_BUILDING = 'Résidence Les Tilleuls';
export const BELGIAN_DEMO_BUILDING = 'Résidence Bruxelles P1';

export const DEMO_TARIFFS = {
  plans: {
    'demo-hphc': {
      label: 'HP/HC 9 kVA, off-peak 22:00–06:00',
      country: 'FR',
      kind: 'hp-hc',
      versions: [
        {
          validFrom: '2024-01-01',
          offPeak: [{ from: '22:00', to: '06:00' }],
          energy: { hp: '0.1700', hc: '0.1350' },
          network: '0.0450',
          taxes: [{ label: 'Accise', perKwh: '0.0300' }],
          subscription: { kva: 9, perMonthByKva: { '9': '19.81' } },
          vatPercent: '20',
        },
      ],
    },
    'demo-be-bi-horaire': {
      label: 'Bi-horaire with capacity tariff',
      country: 'BE',
      kind: 'be-bi-horaire',
      versions: [
        {
          validFrom: '2024-01-01',
          night: { from: '22:00', to: '07:00', weekendIsNight: true },
          energy: { day: '0.1450', night: '0.1150' },
          network: { day: '0.0950', night: '0.0700' },
          taxes: [{ label: 'Excise', perKwh: '0.0503' }],
          fixed: [{ label: 'Data management', perMonth: '1.50' }],
          capacity: { perKwYear: '53.76', minimumKw: '2.5', mode: 'monthly-peak' },
          injection: { perKwh: '0.0400' },
          vatPercent: '6',
        },
      ],
    },
  },
  buildings: {
    [FRENCH_DEMO_BUILDING]: [{ validFrom: '2024-01-01', plan: 'demo-hphc' }],
    [BELGIAN_DEMO_BUILDING]: [{ validFrom: '2024-01-01', plan: 'demo-be-bi-horaire' }],
  },
};

/** Surface and lots of the demo buildings, for `stats --compare`. */
export const DEMO_BUILDINGS = {
  [FRENCH_DEMO_BUILDING]: { surfaceM2: 2400, units: 32 },
  [BELGIAN_DEMO_BUILDING]: { surfaceM2: 1850, units: 24 },
};
