/**
 * The project's own CSV layout: `timestamp,value[,unit,metric]`, or any column order when a
 * header names the columns. The timestamp is the START of the interval: ISO 8601 with an
 * offset or Z, or a local time read in the building's time zone. The interval length is
 * inferred later from the series' neighbours (or forced with --interval).
 */
import {
  checkNotFuture,
  isMetricType,
  METRIC_UNITS,
  normaliseValue,
  storedUnit,
  type MetricType,
} from '../domain/readings.js';
import { zoneOf } from '../providers/localTime.js';
import { LocalClock, hasOffset, parseOffsetTime, parseWallClock } from './localTimes.js';
import { headerKey, parseNumber, quoteCell } from './text.js';
import type { ParseTarget, RecordParser, RowSink } from './types.js';

type Role = 'timestamp' | 'value' | 'unit' | 'metric';

/** Header names per role, compared without case, accents, spaces or punctuation; a name may carry a unit: "Valeur (Wh)". */
const ROLE_NAMES: Record<Role, string[]> = {
  timestamp: [
    'timestamp',
    'datetime',
    'date',
    'time',
    'debut',
    'start',
    'horodate',
    'van',
    'from',
    'heure',
  ],
  value: [
    'value',
    'valeur',
    'kwh',
    'wh',
    'consumption',
    'consommation',
    'energy',
    'energie',
    'volume',
    'waarde',
    'verbruik',
  ],
  unit: ['unit', 'unite', 'eenheid'],
  metric: ['metric', 'metrique', 'metrictype'],
};

interface Columns {
  timestamp: number;
  value: number;
  unit?: number;
  metric?: number;
  /** A unit named in the value column's header ("Valeur (Wh)"). */
  headerUnit?: string;
}

const POSITIONAL: Columns = { timestamp: 0, value: 1, unit: 2, metric: 3 };

function roleOf(key: string): Role | null {
  for (const role of ['metric', 'unit', 'timestamp', 'value'] as const) {
    if (ROLE_NAMES[role].some((n) => key === n || key.startsWith(n))) return role;
  }
  return null;
}

/** Columns named by a header row, or null when the row is data (its first cell a time). */
export function headerColumns(fields: string[]): Columns | 'unrecognised' | null {
  const first = fields[0]?.trim() ?? '';
  if (/^\d/.test(first)) return null;
  const found: Partial<Columns> = {};
  fields.forEach((f, i) => {
    const key = headerKey(f);
    const role = roleOf(key);
    if (!role || found[role] !== undefined) return;
    found[role] = i;
    if (role === 'value') {
      const unit = /\((k?wh|mwh|m3|l|w|kw)\)/i.exec(f)?.[1];
      if (unit)
        found.headerUnit = unit.replace(/^k?wh$/i, (u) =>
          u.toLowerCase() === 'kwh' ? 'kWh' : 'Wh',
        );
    }
  });
  if (found.timestamp === undefined || found.value === undefined) return 'unrecognised';
  return found as Columns;
}

class GenericCsvParser implements RecordParser {
  private columns: Columns | null = null;
  private localTimes = false;
  private readonly clock;

  constructor(
    private readonly t: ParseTarget,
    private readonly sink: RowSink,
    private readonly decimalComma: boolean,
  ) {
    this.clock = new LocalClock(zoneOf(t.timeZone));
  }

  record(fields: string[], line: number): void {
    if (!this.columns) {
      const h = headerColumns(fields);
      this.columns = h === null || h === 'unrecognised' ? POSITIONAL : h;
      if (h === 'unrecognised')
        return this.sink.error({
          line,
          error:
            `header not recognised (${fields.map(quoteCell).join(', ')}): name a time column ` +
            '(timestamp, date, horodate, début…) and a value column (value, valeur, kWh…)',
        });
      if (h) return;
    }
    const error = this.row(fields, line, this.columns);
    if (error) this.sink.error({ line, error });
  }

  end(): void {}

  meter(): string | undefined {
    return undefined;
  }

  notes(): string[] {
    return this.localTimes
      ? [`times without an offset were read as local times in ${this.t.timeZone}`]
      : [];
  }

  /** Stages one data row; returns what is wrong with it instead when something is. */
  private row(fields: string[], line: number, c: Columns): string | null {
    if (c === POSITIONAL && (fields.length < 2 || fields.length > 4))
      return `expected timestamp,value[,unit,metric], got ${fields.length} fields`;
    const cell = (i: number | undefined) => (i === undefined ? '' : (fields[i] ?? '').trim());
    const metric = cell(c.metric) || this.t.metric || 'electricity_consumption';
    if (!isMetricType(metric)) return `unknown metric '${quoteCell(metric)}'`;
    const tsText = cell(c.timestamp);
    const startMs = this.readTime(tsText, metric);
    if (startMs === null)
      return `invalid timestamp '${quoteCell(tsText)}' (e.g. 2025-01-15T08:00:00+01:00 or 15/01/2025 08:00)`;
    const valueText = cell(c.value);
    const value = parseNumber(valueText, this.decimalComma);
    if (value === null) return `value '${quoteCell(valueText)}' is not a number`;
    const unit = cell(c.unit) || c.headerUnit || storedUnit(metric);
    const units = METRIC_UNITS[metric];
    if (!units.includes(unit))
      return `Invalid unit '${quoteCell(unit)}' for metric type '${metric}'. Valid units: ${units.join(', ')}`;
    const nv = normaliseValue(metric, value, unit);
    if (!nv.ok) return nv.error;
    const fut = checkNotFuture(new Date(startMs), this.t.now);
    if (fut) return fut;
    this.sink.row({
      line,
      metric,
      startMs,
      seconds: this.t.intervalSeconds ?? null,
      value: nv.value,
      unit: storedUnit(metric),
      part: '',
    });
    return null;
  }

  private readTime(text: string, metric: MetricType): number | null {
    if (hasOffset(text)) return parseOffsetTime(text);
    const wall = parseWallClock(text);
    if (wall === null) return null;
    this.localTimes = true;
    return this.clock.resolve(metric, wall);
  }
}

export function genericCsvParser(
  t: ParseTarget,
  sink: RowSink,
  opts: { decimalComma: boolean },
): RecordParser {
  return new GenericCsvParser(t, sink, opts.decimalComma);
}
