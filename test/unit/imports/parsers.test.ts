import { describe, expect, it } from 'vitest';
import { enedisAccountParser } from '../../../src/imports/enedisAccount.js';
import { genericCsvParser } from '../../../src/imports/genericCsv.js';
import { parseOffsetTime, parseWallClock } from '../../../src/imports/localTimes.js';
import { FLUVIUS } from '../../../src/imports/portalLayouts.js';
import { portalParser } from '../../../src/imports/portalQuarterHours.js';
import { detectDelimiter, sniff } from '../../../src/imports/sniff.js';
import { headerKey, parseNumber, quoteCell } from '../../../src/imports/text.js';
import type { RowError, StagedRow } from '../../../src/imports/types.js';

const NOW = new Date('2026-11-01T00:00:00Z');

function collect() {
  const rows: StagedRow[] = [];
  const errors: RowError[] = [];
  return {
    rows,
    errors,
    sink: { row: (r: StagedRow) => rows.push(r), error: (e: RowError) => errors.push(e) },
  };
}

describe('sniffing a file', () => {
  it('tells the delimiter, preferring the semicolon when decimal commas tie with it', () => {
    expect(detectDelimiter('a,b\n1,2\n')).toBe(',');
    expect(detectDelimiter('Date;Valeur\n10/01/2026 00:00;0,5\n')).toBe(';');
    expect(detectDelimiter('2026-01-10T00:00:00+01:00;0,5\n')).toBe(';');
    expect(detectDelimiter('"a"\t"b,c"\n1\t2\n')).toBe('\t');
  });

  it('tells the layout by its header, after a BOM', () => {
    expect(
      sniff(
        '\uFEFFVan (datum);Van (tijdstip);Tot (datum);Tot (tijdstip);EAN-code;Meter;Metertype;Register;Volume;Eenheid;Validatiestatus;Omschrijving\n',
      ).format,
    ).toBe('fluvius');
    expect(
      sniff(
        'From (date);From (time);Until (date);Until (time);EAN code;Meter;Meter type;Register;Volume;Unit;Validation status;Description\n',
      ).format,
    ).toBe('fluvius');
    expect(
      sniff('Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique\n').format,
    ).toBe('enedis-account');
    expect(sniff('Date de début;Heure de début;Code EAN;Registre;Volume\n').format).toBe(
      'ores-portal',
    );
    expect(sniff('timestamp,value\n').format).toBe('csv');
    expect(sniff(' {"interval_readings":[]}').format).toBe('ores');
  });
});

describe('text helpers', () => {
  it('escapes control bytes and cuts long cells', () => {
    expect(quoteCell('a\u001b[31mb\u0000')).toBe('a\\x1b[31mb\\x00');
    expect(quoteCell('x'.repeat(100))).toBe(`${'x'.repeat(40)}…`);
  });
  it('reads decimal commas only when asked, with thousands groups', () => {
    expect(parseNumber('0,067', true)).toBe(0.067);
    expect(parseNumber('1.234,5', true)).toBe(1234.5);
    expect(parseNumber('0,067', false)).toBeNull();
    expect(parseNumber('1e3', false)).toBe(1000);
    expect(parseNumber('abc', true)).toBeNull();
  });
  it('compares header names without case, accents or punctuation', () => {
    expect(headerKey('Van (datum)')).toBe('vandatum');
    expect(headerKey('DÉBUT')).toBe('debut');
  });
  it('refuses offsets that are not real ones and impossible dates', () => {
    expect(parseOffsetTime('2026-01-10T00:00:00+25:00')).toBeNull();
    expect(parseOffsetTime('2026-01-10T00:00:00+01:99')).toBeNull();
    expect(parseOffsetTime('2026-01-10T00:00:00+01:00')).toBe(Date.UTC(2026, 0, 9, 23));
    expect(parseOffsetTime('2026-01-10T00:00:00.250-05:00')).toBe(
      Date.UTC(2026, 0, 10, 5, 0, 0, 250),
    );
    expect(parseOffsetTime('2026-01-10 08:00Z')).toBe(Date.UTC(2026, 0, 10, 8));
    expect(parseOffsetTime('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseWallClock('30/02/2026 00:00')).toBeNull();
    expect(parseWallClock('10/01/2026 08:30')).toBe(Date.UTC(2026, 0, 10, 8, 30));
  });
});

describe('the generic CSV parser', () => {
  it('reads local times in order through the repeated October hour', () => {
    const c = collect();
    const p = genericCsvParser({ now: NOW, timeZone: 'Europe/Brussels' }, c.sink, {
      decimalComma: true,
    });
    ['horodate;valeur', '2025-10-26 02:30;1', '2025-10-26 02:00;2', '2025-10-26 02:30;3'].forEach(
      (l, i) => p.record(l.split(';'), i + 1),
    );
    // 02:30 (+02:00), then 02:00 and 02:30 of the second pass (+01:00).
    expect(c.rows.map((r) => new Date(r.startMs).toISOString())).toEqual([
      '2025-10-26T00:30:00.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:30:00.000Z',
    ]);
    expect(c.errors).toEqual([]);
  });
  it('takes a unit from the value header and rejects future rows', () => {
    const c = collect();
    const p = genericCsvParser({ now: NOW, timeZone: 'Europe/Paris' }, c.sink, {
      decimalComma: true,
    });
    p.record(['Date', 'Valeur (Wh)'], 1);
    p.record(['2026-01-10T00:00:00Z', '1500'], 2);
    p.record(['2027-01-10T00:00:00Z', '1500'], 3);
    expect(c.rows[0]?.value).toBe(1.5);
    expect(c.errors).toEqual([{ line: 3, error: 'Timestamp cannot be in the future' }]);
  });
});

describe('the Fluvius parser', () => {
  it('maps registers to metrics, keeps empty volumes as gaps and names the EAN', () => {
    const c = collect();
    const p = portalParser(FLUVIUS, { now: NOW, timeZone: 'Europe/Brussels' }, c.sink);
    p.record(
      'Van datum;Van tijdstip;Tot datum;Tot tijdstip;EAN;Register;Volume;Eenheid'.split(';'),
      1,
    );
    p.record(
      '12-10-2021;07:30:00;12-10-2021;07:45:00;="541448000000000017";Afname Dag;0,067;kWh'.split(
        ';',
      ),
      2,
    );
    p.record(
      '12-10-2021;07:30:00;12-10-2021;07:45:00;="541448000000000017";Injectie Dag;;kWh'.split(';'),
      3,
    );
    p.record(
      '12-10-2021;07:45:00;12-10-2021;08:00:00;="541448000000000017";Reactief;1;kvarh'.split(';'),
      4,
    );
    expect(c.rows).toEqual([
      {
        line: 2,
        metric: 'electricity_consumption',
        startMs: Date.UTC(2021, 9, 12, 5, 30),
        seconds: 900,
        value: 0.067,
        unit: 'kWh',
        part: 'afnamedag',
      },
    ]);
    expect(c.errors[0]?.error).toContain("unknown register 'Reactief'");
    expect(p.meter()).toBe('541448000000000017');
    expect(p.notes()[0]).toContain('1 row(s) without a volume');
  });
});

describe('the Enedis account parser', () => {
  it('refuses series it does not import, naming the line', () => {
    const c = collect();
    const p = enedisAccountParser({ now: NOW, timeZone: 'Europe/Paris' }, c.sink);
    p.record(
      'Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;Grandeur metier;Etape metier;Unite'.split(
        ';',
      ),
      1,
    );
    p.record(
      '00000000000000;Index;12/04/2021;18/04/2021;Energie active;Consommation;Comptage Brut;Wh'.split(
        ';',
      ),
      2,
    );
    p.end();
    expect(c.errors).toEqual([
      {
        line: 2,
        error: "Enedis export of type 'Index' is not imported (load curves and daily energy are)",
      },
    ]);
  });
});
