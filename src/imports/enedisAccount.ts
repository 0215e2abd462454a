/**
 * CSV exports of the Enedis customer account ("Mes données" / "Télécharger mes données"):
 * a block header naming the meter and the series, then `Horodate;Valeur` rows.
 *
 * Layout as published in l-etabli/quoalise, formalisme/enedis.md ("Flux historique mail /
 * ftp"):
 *   Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;Grandeur metier;Etape metier;Unite;Pas en minutes
 *   <PRM>;Courbe de charge;01/09/2018;21/08/2020;Energie active;Consommation;Comptage Brut;W;
 *   Horodate;Valeur
 *   2020-08-20T23:40:00+02:00;270
 * Times carry their offset, so the repeated October hour is written twice, +02:00 then
 * +01:00. As in the Data Connect answers, a load-curve time marks the END of its interval and
 * the value is the average power in W over it; a point without a value is a gap. Daily rows
 * (a "quotidienne" type) hold the energy in Wh of the local day (Europe/Paris) that starts at
 * the time given. Other series of the export (index, daily maximum power) are refused.
 */
import { checkNotFuture, type MetricType } from '../domain/readings.js';
import { localDaySeconds, localDayStart, zoneOf } from '../providers/localTime.js';
import { LocalClock, hasOffset, parseOffsetTime, parseWallClock } from './localTimes.js';
import { headerKey, parseNumber, quoteCell } from './text.js';
import type { ParseTarget, RecordParser, RowSink } from './types.js';

const ZONE = 'Europe/Paris';

type Kind = 'curve' | 'daily';
interface Block {
  kind: Kind;
  metric: MetricType;
  unit: string;
  /** Step from the block header, in seconds; else inferred from the times. */
  step: number | null;
}

interface Point {
  line: number;
  endMs: number;
  value: number | null;
}

function kindOf(type: string): Kind | null {
  const k = headerKey(type);
  if (k.includes('courbe')) return 'curve';
  if (k.includes('quotidien') || k.includes('journalier')) return 'daily';
  return null;
}

export function enedisAccountParser(t: ParseTarget, sink: RowSink): RecordParser {
  let state: 'start' | 'meta' | 'rows-header' | 'rows' | 'skip' = 'start';
  let metaKeys: string[] = [];
  let block: Block | null = null;
  let prm: string | undefined;
  let daily = false;
  const clock = new LocalClock(zoneOf(ZONE));
  // Load-curve points wait for their successor: a point's length is the smaller distance
  // to its neighbours, so a missing stretch stays a gap instead of stretching a reading.
  let held: Point | null = null;
  let heldGap: number | null = null;

  function emitCurve(p: Point, seconds: number | null): void {
    if (p.value === null || !block) return;
    if (!seconds || seconds <= 0 || seconds > 86_400) {
      sink.error({
        line: p.line,
        error: 'cannot tell the interval length of a lone point: pass --interval SECONDS',
      });
      return;
    }
    const startMs = p.endMs - seconds * 1000;
    const kwh =
      block.unit === 'kw' ? (p.value * seconds) / 3600 : (p.value * seconds) / 3600 / 1000;
    push(p.line, startMs, seconds, kwh);
  }

  function push(line: number, startMs: number, seconds: number, kwh: number): void {
    if (!block) return;
    if (kwh < 0) return sink.error({ line, error: `Consumption value cannot be negative: ${kwh}` });
    const fut = checkNotFuture(new Date(startMs), t.now);
    if (fut) return sink.error({ line, error: fut });
    sink.row({
      line,
      metric: t.metric ?? block.metric,
      startMs,
      seconds,
      value: kwh,
      unit: 'kWh',
      part: '',
    });
  }

  function flushHeld(nextEndMs: number | null): void {
    if (!held || !block) return;
    const after = nextEndMs === null ? null : (nextEndMs - held.endMs) / 1000;
    const fixed = block.step ?? t.intervalSeconds ?? null;
    const dists = [heldGap, after].filter((d): d is number => d !== null && d > 0);
    emitCurve(held, fixed ?? (dists.length ? Math.min(...dists) : null));
  }

  function readTime(text: string): number | null {
    if (hasOffset(text)) return parseOffsetTime(text);
    const wall = parseWallClock(text);
    return wall === null ? null : clock.resolve('', wall);
  }

  function meta(fields: string[], line: number): void {
    const get = (name: string) => (fields[metaKeys.indexOf(name)] ?? '').trim();
    prm = prm ?? (get('identifiantprm') || undefined);
    const type = get('typededonnees');
    const kind = kindOf(type);
    if (!kind) {
      sink.error({
        line,
        error: `Enedis export of type '${quoteCell(type)}' is not imported (load curves and daily energy are)`,
      });
      state = 'skip';
      return;
    }
    const metier = headerKey(get('grandeurmetier'));
    const step = Number(get('pasenminutes'));
    block = {
      kind,
      metric: metier.startsWith('prod') ? 'electricity_production' : 'electricity_consumption',
      unit: get('unite').toLowerCase() || (kind === 'curve' ? 'w' : 'wh'),
      step: Number.isFinite(step) && step > 0 ? step * 60 : null,
    };
    daily ||= kind === 'daily';
    state = 'rows-header';
  }

  function row(fields: string[], line: number): void {
    if (!block) return;
    const timeText = (fields[0] ?? '').trim();
    const ms = readTime(timeText);
    if (ms === null) return sink.error({ line, error: `invalid time '${quoteCell(timeText)}'` });
    const valueText = (fields[1] ?? '').trim();
    const value = valueText === '' ? null : parseNumber(valueText, true);
    if (valueText !== '' && value === null)
      return sink.error({ line, error: `value '${quoteCell(valueText)}' is not a number` });
    if (block.kind === 'daily') {
      if (value === null) return;
      const day = new Date(ms).toLocaleDateString('sv-SE', { timeZone: ZONE });
      const kwh = block.unit === 'kwh' ? value : value / 1000;
      push(line, localDayStart(day, ZONE).getTime(), localDaySeconds(day, ZONE), kwh);
      return;
    }
    flushHeld(ms);
    heldGap = held ? (ms - held.endMs) / 1000 : null;
    held = { line, endMs: ms, value };
  }

  return {
    record(fields, line) {
      const first = headerKey(fields[0] ?? '');
      if (first === 'identifiantprm') {
        flushHeld(null);
        held = null;
        metaKeys = fields.map(headerKey);
        state = 'meta';
        return;
      }
      if (state === 'start') {
        sink.error({
          line,
          error: 'not an Enedis account export: the first line must name "Identifiant PRM"',
        });
        state = 'skip';
      } else if (state === 'meta') meta(fields, line);
      else if (state === 'rows-header') {
        if (first === 'horodate' || first === 'date') state = 'rows';
        else {
          sink.error({
            line,
            error: `expected the "Horodate;Valeur" header, got '${quoteCell(fields.join(';'))}'`,
          });
          state = 'skip';
        }
      } else if (state === 'rows') row(fields, line);
    },
    end() {
      flushHeld(null);
      held = null;
    },
    meter: () => (prm && daily ? `${prm}-daily` : prm),
    notes: () =>
      daily
        ? ['daily totals are stored as their own series (<PRM>-daily), apart from the load curve']
        : [],
  };
}
