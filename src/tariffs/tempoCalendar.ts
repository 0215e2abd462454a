/**
 * Tempo day colours, from a file the user imports (no network call at run time).
 *
 * CSV: one day per line, `YYYY-MM-DD,colour`, an optional header `date,colour`, `#` comments.
 * JSON: an object `{"2026-01-15": "red", …}` or an array `[{"date": …, "colour": …}]`.
 * Colours: blue/white/red, also in French (bleu/blanc/rouge) and any case.
 * A Tempo day runs from 06:00 to 06:00 the next morning: the colour named for a date prices
 * the hours from that date's 06:00 (see tempoDayOf).
 */
import { InputError } from '../domain/errors.js';
import type { TempoColour } from './schema.js';

export type TempoCalendar = ReadonlyMap<string, TempoColour>;

const COLOUR_NAMES: Record<string, TempoColour> = {
  blue: 'blue',
  bleu: 'blue',
  white: 'white',
  blanc: 'white',
  red: 'red',
  rouge: 'red',
};

const DAY_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

function add(cal: Map<string, TempoColour>, day: string, colour: string, where: string): void {
  const d = day.trim();
  if (!DAY_RE.test(d)) throw new InputError(`Tempo calendar ${where}: "${d}" is not YYYY-MM-DD`);
  const c = COLOUR_NAMES[colour.trim().toLowerCase()];
  if (!c)
    throw new InputError(
      `Tempo calendar ${where}: "${colour.trim()}" is not a colour (blue, white, red)`,
    );
  const before = cal.get(d);
  if (before && before !== c)
    throw new InputError(`Tempo calendar ${where}: ${d} is given twice (${before} and ${c})`);
  cal.set(d, c);
}

/** Parses a calendar file's text; `name` appears in error messages. */
export function parseTempoCalendar(text: string, name = 'file'): TempoCalendar {
  const body = text.replace(/^\uFEFF/, '').trim();
  const cal = new Map<string, TempoColour>();
  if (body.startsWith('{') || body.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      throw new InputError(`Tempo calendar ${name} is not valid JSON: ${(e as Error).message}`);
    }
    if (Array.isArray(doc)) {
      doc.forEach((row: unknown, i) => {
        const r = (row ?? {}) as Record<string, unknown>;
        const colour = r.colour ?? r.color ?? r.couleur;
        if (typeof r.date !== 'string' || typeof colour !== 'string')
          throw new InputError(`Tempo calendar ${name} [${i}]: needs "date" and "colour"`);
        add(cal, r.date, colour, `${name} [${i}]`);
      });
    } else {
      for (const [day, colour] of Object.entries(doc as Record<string, unknown>)) {
        if (typeof colour !== 'string')
          throw new InputError(`Tempo calendar ${name}: ${day} needs a colour string`);
        add(cal, day, colour, name);
      }
    }
    return cal;
  }
  body.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(/[,;\t]/);
    if (i === 0 && !DAY_RE.test((cells[0] ?? '').trim())) return; // header
    if (cells.length < 2)
      throw new InputError(`Tempo calendar ${name} line ${i + 1}: expected "date,colour"`);
    add(cal, cells[0] as string, cells[1] as string, `${name} line ${i + 1}`);
  });
  return cal;
}

/** The Tempo day a local date and minute belong to: before 06:00 it is the previous day's. */
export function tempoDayOf(localDate: string, minuteOfDay: number, previousDate: string): string {
  return minuteOfDay < 6 * 60 ? previousDate : localDate;
}
