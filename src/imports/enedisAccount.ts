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

class EnedisAccountParser implements RecordParser {
  private state: 'start' | 'meta' | 'rows-header' | 'rows' | 'skip' = 'start';
  private metaKeys: string[] = [];
  private block: Block | null = null;
  private prm: string | undefined;
  private daily = false;
  private readonly clock = new LocalClock(zoneOf(ZONE));
  // Load-curve points wait for their successor: a point's length is the smaller distance
  // to its neighbours, so a missing stretch stays a gap instead of stretching a reading.
  private held: Point | null = null;
  private heldGap: number | null = null;

  constructor(
    private readonly t: ParseTarget,
    private readonly sink: RowSink,
  ) {}

  record(fields: string[], line: number): void {
    const first = headerKey(fields[0] ?? '');
    if (first === 'identifiantprm') {
      this.end();
      this.metaKeys = fields.map(headerKey);
      this.state = 'meta';
      return;
    }
    if (this.state === 'start') {
      this.sink.error({
        line,
        error: 'not an Enedis account export: the first line must name "Identifiant PRM"',
      });
      this.state = 'skip';
    } else if (this.state === 'meta') this.meta(fields, line);
    else if (this.state === 'rows-header') {
      if (first === 'horodate' || first === 'date') this.state = 'rows';
      else {
        this.sink.error({
          line,
          error: `expected the "Horodate;Valeur" header, got '${quoteCell(fields.join(';'))}'`,
        });
        this.state = 'skip';
      }
    } else if (this.state === 'rows') this.row(fields, line);
  }

  end(): void {
    this.flushHeld(null);
    this.held = null;
  }

  meter(): string | undefined {
    return this.prm && this.daily ? `${this.prm}-daily` : this.prm;
  }

  notes(): string[] {
    return this.daily
      ? ['daily totals are stored as their own series (<PRM>-daily), apart from the load curve']
      : [];
  }

  private meta(fields: string[], line: number): void {
    const get = (name: string) => (fields[this.metaKeys.indexOf(name)] ?? '').trim();
    this.prm ??= get('identifiantprm') || undefined;
    const type = get('typededonnees');
    const kind = kindOf(type);
    if (!kind) {
      this.sink.error({
        line,
        error: `Enedis export of type '${quoteCell(type)}' is not imported (load curves and daily energy are)`,
      });
      this.state = 'skip';
      return;
    }
    const metier = headerKey(get('grandeurmetier'));
    const step = Number(get('pasenminutes'));
    this.block = {
      kind,
      metric: metier.startsWith('prod') ? 'electricity_production' : 'electricity_consumption',
      unit: get('unite').toLowerCase() || (kind === 'curve' ? 'w' : 'wh'),
      step: Number.isFinite(step) && step > 0 ? step * 60 : null,
    };
    this.daily ||= kind === 'daily';
    this.state = 'rows-header';
  }

  private row(fields: string[], line: number): void {
    const block = this.block;
    if (!block) return;
    const timeText = (fields[0] ?? '').trim();
    const ms = this.readTime(timeText);
    if (ms === null)
      return this.sink.error({ line, error: `invalid time '${quoteCell(timeText)}'` });
    const valueText = (fields[1] ?? '').trim();
    const value = valueText === '' ? null : parseNumber(valueText, true);
    if (valueText !== '' && value === null)
      return this.sink.error({ line, error: `value '${quoteCell(valueText)}' is not a number` });
    if (block.kind === 'daily') {
      if (value === null) return;
      const day = new Date(ms).toLocaleDateString('sv-SE', { timeZone: ZONE });
      const kwh = block.unit === 'kwh' ? value : value / 1000;
      this.push(line, localDayStart(day, ZONE).getTime(), localDaySeconds(day, ZONE), kwh);
      return;
    }
    this.flushHeld(ms);
    this.heldGap = this.held ? (ms - this.held.endMs) / 1000 : null;
    this.held = { line, endMs: ms, value };
  }

  private flushHeld(nextEndMs: number | null): void {
    const held = this.held;
    if (!held || !this.block) return;
    const after = nextEndMs === null ? null : (nextEndMs - held.endMs) / 1000;
    const fixed = this.block.step ?? this.t.intervalSeconds ?? null;
    const dists = [this.heldGap, after].filter((d): d is number => d !== null && d > 0);
    this.emitCurve(held, fixed ?? (dists.length ? Math.min(...dists) : null));
  }

  private emitCurve(p: Point, seconds: number | null): void {
    if (p.value === null || !this.block) return;
    if (!seconds || seconds <= 0 || seconds > 86_400) {
      this.sink.error({
        line: p.line,
        error: 'cannot tell the interval length of a lone point: pass --interval SECONDS',
      });
      return;
    }
    // Average power over the interval: W (or kW) × hours.
    const kwh = ((this.block.unit === 'kw' ? 1000 : 1) * p.value * seconds) / 3600 / 1000;
    this.push(p.line, p.endMs - seconds * 1000, seconds, kwh);
  }

  private push(line: number, startMs: number, seconds: number, kwh: number): void {
    if (!this.block) return;
    if (kwh < 0)
      return this.sink.error({ line, error: `Consumption value cannot be negative: ${kwh}` });
    const fut = checkNotFuture(new Date(startMs), this.t.now);
    if (fut) return this.sink.error({ line, error: fut });
    this.sink.row({
      line,
      metric: this.t.metric ?? this.block.metric,
      startMs,
      seconds,
      value: kwh,
      unit: 'kWh',
      part: '',
    });
  }

  private readTime(text: string): number | null {
    if (hasOffset(text)) return parseOffsetTime(text);
    const wall = parseWallClock(text);
    return wall === null ? null : this.clock.resolve('', wall);
  }
}

export function enedisAccountParser(t: ParseTarget, sink: RowSink): RecordParser {
  return new EnedisAccountParser(t, sink);
}
