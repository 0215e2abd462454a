/**
 * Quarter-hour exports of the Belgian distribution operators' customer portals: one row per
 * quarter-hour and register, semicolons, local dates and times (Europe/Brussels, with or
 * without an offset), decimal commas, offtake and injection registers (day and night).
 * Offtake rows become electricity_consumption, injection rows electricity_production; the
 * day and night registers of one quarter-hour add up. A row without a volume is a gap, not a
 * zero. In the repeated October hour, rows without an offset are told apart by their order
 * within each register.
 */
import { checkNotFuture, type MetricType } from '../domain/readings.js';
import { localCandidates, zoneOf } from '../providers/localTime.js';
import { LocalClock, hasOffset, parseOffsetTime, parseWallClock } from './localTimes.js';
import { headerKey, parseNumber, quoteCell, unwrapExcelText } from './text.js';
import type { ParseTarget, RecordParser, RowSink } from './types.js';

export const PORTAL_ROLES = [
  'fromDate',
  'fromTime',
  'toDate',
  'toTime',
  'ean',
  'register',
  'volume',
  'unit',
] as const;
export type PortalRole = (typeof PORTAL_ROLES)[number];

/** A layout: for each role, the header names (compared by headerKey) it may have. */
export type PortalLayout = Record<PortalRole, string[]>;

export interface PortalFormat {
  name: string;
  layout: PortalLayout;
  /** Roles without which a row cannot be read. */
  required: PortalRole[];
}

const OFFTAKE = ['afname', 'offtake', 'prelevement', 'consommation', 'consumption', 'verbruik'];
const INJECTION = ['injectie', 'injection', 'production', 'productie'];

function metricOfRegister(register: string, unit: string): MetricType | null {
  const k = headerKey(register);
  if (/^m(3|³)$/i.test(unit.trim())) return 'gas_consumption';
  if (INJECTION.some((w) => k.includes(w))) return 'electricity_production';
  if (OFFTAKE.some((w) => k.includes(w))) return 'electricity_consumption';
  return null;
}

function toKwh(value: number, unit: string): number | null {
  const u = unit.trim().toLowerCase();
  if (u === '' || u === 'kwh') return value;
  if (u === 'wh') return value / 1000;
  if (u === 'mwh') return value * 1000;
  if (u === 'm3' || u === 'm³') return value;
  return null;
}

/** Columns of the header row: role → index. Names given with --column win over the layout's. */
function mapColumns(
  fields: string[],
  f: PortalFormat,
  overrides: Record<string, string> | undefined,
): Partial<Record<PortalRole, number>> {
  const keys = fields.map(headerKey);
  const out: Partial<Record<PortalRole, number>> = {};
  for (const role of PORTAL_ROLES) {
    const names = overrides?.[role] ? [headerKey(overrides[role])] : f.layout[role].map(headerKey);
    const i = keys.findIndex((k) => names.includes(k));
    if (i >= 0) out[role] = i;
  }
  return out;
}

/** "12-10-2021" / "12/10/2021" / "2021-10-12" to YYYY-MM-DD, or null. */
function isoDate(text: string): string | null {
  const t = text.trim();
  const dm = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(t);
  if (dm)
    return `${dm[3]}-${(dm[2] as string).padStart(2, '0')}-${(dm[1] as string).padStart(2, '0')}`;
  return /^\d{4}-\d{2}-\d{2}$/.test(t) ? t : null;
}

type Cells = (role: PortalRole) => string;

/** One portal export, read record by record (the first record is the header). */
class PortalParser implements RecordParser {
  private columns: Partial<Record<PortalRole, number>> | null = null;
  private meterId: string | undefined;
  private gaps = 0;
  private offsets = false;
  private readonly zone;
  private readonly clock;

  constructor(
    private readonly f: PortalFormat,
    private readonly t: ParseTarget,
    private readonly sink: RowSink,
  ) {
    this.zone = zoneOf(t.timeZone);
    this.clock = new LocalClock(this.zone);
  }

  record(fields: string[], line: number): void {
    if (!this.columns) return this.header(fields, line);
    const c = this.columns;
    const cell: Cells = (r) => {
      const i = c[r];
      return i === undefined ? '' : unwrapExcelText(fields[i] ?? '');
    };
    const error = (e: string) => this.sink.error({ line, error: e });
    if (!this.sameMeter(cell('ean'), error)) return;
    const register = cell('register');
    const unit = cell('unit') || 'kWh';
    const metric = metricOfRegister(register, unit);
    if (!metric)
      return error(`unknown register '${quoteCell(register)}' (expected offtake or injection)`);
    const startMs = this.instant(cell('fromDate'), cell('fromTime'), `${register}\u0000from`);
    if (startMs === null)
      return error(`invalid start '${quoteCell(`${cell('fromDate')} ${cell('fromTime')}`)}'`);
    const volumeText = cell('volume');
    if (volumeText === '') {
      this.gaps++;
      return;
    }
    const raw = parseNumber(volumeText, true);
    const value = raw === null ? null : toKwh(raw, unit);
    if (raw === null) return error(`volume '${quoteCell(volumeText)}' is not a number`);
    if (value === null) return error(`unit '${quoteCell(unit)}' is not kWh, Wh or m³`);
    if (value < 0) return error(`Consumption value cannot be negative: ${raw}`);
    const fut = checkNotFuture(new Date(startMs), this.t.now);
    if (fut) return error(fut);
    this.sink.row({
      line,
      metric,
      startMs,
      seconds: this.rowSeconds(cell, startMs),
      value,
      unit: metric === 'gas_consumption' ? 'm3' : 'kWh',
      part: headerKey(register),
    });
  }

  end(): void {}

  meter(): string | undefined {
    return this.meterId;
  }

  notes(): string[] {
    const n: string[] = [];
    if (this.gaps > 0) n.push(`${this.gaps} row(s) without a volume kept as gaps (not zeros)`);
    if (!this.offsets) n.push(`local times read in ${this.t.timeZone}`);
    return n;
  }

  private header(fields: string[], line: number): void {
    const columns = mapColumns(fields, this.f, this.t.columns);
    this.columns = columns;
    const missing = this.f.required.filter((r) => columns[r] === undefined);
    if (missing.length > 0) {
      this.sink.error({
        line,
        error:
          `not a ${this.f.name} export: no column for ${missing.join(', ')} ` +
          `(pass --column ${missing[0]}=NAME to name it)`,
      });
    }
  }

  /** One meter per file: a second EAN is a bad row. */
  private sameMeter(ean: string, error: (e: string) => void): boolean {
    if (!ean) return true;
    if (this.meterId !== undefined && ean !== this.meterId) {
      error(
        `a second meter (EAN ${quoteCell(ean)}, the file began with ${this.meterId}): export one meter per file`,
      );
      return false;
    }
    this.meterId ??= ean;
    return true;
  }

  /** UTC ms of a date and a time cell in series `key`, or null. */
  private instant(dateText: string, timeText: string, key: string): number | null {
    const day = isoDate(dateText);
    if (!day) return null;
    const time = timeText.trim();
    if (hasOffset(time)) {
      this.offsets = true;
      return parseOffsetTime(`${day}T${time}`);
    }
    const wall = parseWallClock(`${day} ${time}`);
    return wall === null ? null : this.clock.resolve(key, wall);
  }

  /** The row's length from its end cells, else --interval, else inferred later (null). */
  private rowSeconds(cell: Cells, startMs: number): number | null {
    if (this.columns?.toTime !== undefined) {
      const s = this.intervalSeconds(
        cell('fromDate'),
        cell('fromTime'),
        cell('toDate') || cell('fromDate'),
        cell('toTime'),
        startMs,
      );
      if (s !== null && s > 0 && s <= 86_400) return s;
    }
    return this.t.intervalSeconds ?? null;
  }

  /**
   * Length of a row's interval from its end cells. Up to an hour the wall-clock difference is
   * the length (in the repeated October hour the end label "03:00" of the first 02:45 is a
   * quarter-hour away, not 75 minutes); longer intervals end at the first instant after the
   * start that the end label can mean.
   */
  private intervalSeconds(
    fd: string,
    ft: string,
    td: string,
    tt: string,
    startMs: number,
  ): number | null {
    if (hasOffset(tt)) {
      const end = this.instant(td, tt, '');
      return end === null ? null : (end - startMs) / 1000;
    }
    const [a, b] = [isoDate(fd), isoDate(td)];
    const from = a && parseWallClock(`${a} ${ft.trim()}`);
    const to = b && parseWallClock(`${b} ${tt.trim()}`);
    if (!from || !to) return null;
    const wall = (to - from) / 1000;
    if (wall <= 3600) return wall;
    const end = localCandidates(to, this.zone).find((x) => x > startMs);
    return end === undefined ? null : (end - startMs) / 1000;
  }
}

export function portalParser(f: PortalFormat, t: ParseTarget, sink: RowSink): RecordParser {
  return new PortalParser(f, t, sink);
}
