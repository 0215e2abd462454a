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

export function portalParser(f: PortalFormat, t: ParseTarget, sink: RowSink): RecordParser {
  let columns: Partial<Record<PortalRole, number>> | null = null;
  let meter: string | undefined;
  let gaps = 0;
  let offsets = false;
  const zone = zoneOf(t.timeZone);
  const clock = new LocalClock(zone);

  /** UTC ms of a date and a time cell in series `key`, or null. */
  function instant(dateText: string, timeText: string, key: string): number | null {
    const day = isoDate(dateText);
    if (!day) return null;
    const time = timeText.trim();
    if (hasOffset(time)) {
      offsets = true;
      return parseOffsetTime(`${day}T${time}`);
    }
    const wall = parseWallClock(`${day} ${time}`);
    return wall === null ? null : clock.resolve(key, wall);
  }

  /**
   * Length of a row's interval from its end cells. Up to an hour the wall-clock difference is
   * the length (in the repeated October hour the end label "03:00" of the first 02:45 is a
   * quarter-hour away, not 75 minutes); longer intervals end at the first instant after the
   * start that the end label can mean.
   */
  function intervalSeconds(
    fd: string,
    ft: string,
    td: string,
    tt: string,
    startMs: number,
  ): number | null {
    if (hasOffset(tt)) {
      const end = instant(td, tt, '');
      return end === null ? null : (end - startMs) / 1000;
    }
    const [a, b] = [isoDate(fd), isoDate(td)];
    const from = a && parseWallClock(`${a} ${ft.trim()}`);
    const to = b && parseWallClock(`${b} ${tt.trim()}`);
    if (!from || !to) return null;
    const wall = (to - from) / 1000;
    if (wall <= 3600) return wall;
    const end = localCandidates(to, zone).find((x) => x > startMs);
    return end === undefined ? null : (end - startMs) / 1000;
  }

  function header(fields: string[], line: number): void {
    columns = mapColumns(fields, f, t.columns);
    const missing = f.required.filter((r) => columns?.[r] === undefined);
    if (missing.length > 0) {
      sink.error({
        line,
        error:
          `not a ${f.name} export: no column for ${missing.join(', ')} ` +
          `(pass --column ${missing[0]}=NAME to name it)`,
      });
    }
  }

  return {
    record(fields, line) {
      if (!columns) return header(fields, line);
      const c = columns;
      const cell = (r: PortalRole) => {
        const i = c[r];
        return i === undefined ? '' : unwrapExcelText(fields[i] ?? '');
      };
      const ean = cell('ean');
      if (ean) {
        if (meter !== undefined && ean !== meter) {
          sink.error({
            line,
            error: `a second meter (EAN ${quoteCell(ean)}, the file began with ${meter}): export one meter per file`,
          });
          return;
        }
        meter ??= ean;
      }
      const register = cell('register');
      const unit = cell('unit') || 'kWh';
      const metric = metricOfRegister(register, unit);
      if (!metric) {
        sink.error({
          line,
          error: `unknown register '${quoteCell(register)}' (expected offtake or injection)`,
        });
        return;
      }
      const startMs = instant(cell('fromDate'), cell('fromTime'), `${register}\u0000from`);
      if (startMs === null) {
        sink.error({
          line,
          error: `invalid start '${quoteCell(`${cell('fromDate')} ${cell('fromTime')}`)}'`,
        });
        return;
      }
      const volumeText = cell('volume');
      if (volumeText === '') {
        gaps++;
        return;
      }
      const raw = parseNumber(volumeText, true);
      const value = raw === null ? null : toKwh(raw, unit);
      if (raw === null || value === null || value < 0) {
        sink.error({
          line,
          error:
            raw === null
              ? `volume '${quoteCell(volumeText)}' is not a number`
              : value === null
                ? `unit '${quoteCell(unit)}' is not kWh, Wh or m³`
                : `Consumption value cannot be negative: ${raw}`,
        });
        return;
      }
      let seconds: number | null = null;
      if (c.toTime !== undefined) {
        const s = intervalSeconds(
          cell('fromDate'),
          cell('fromTime'),
          cell('toDate') || cell('fromDate'),
          cell('toTime'),
          startMs,
        );
        if (s !== null && s > 0 && s <= 86_400) seconds = s;
      }
      seconds ??= t.intervalSeconds ?? null;
      const fut = checkNotFuture(new Date(startMs), t.now);
      if (fut) return sink.error({ line, error: fut });
      sink.row({
        line,
        metric,
        startMs,
        seconds,
        value,
        unit: metric === 'gas_consumption' ? 'm3' : 'kWh',
        part: headerKey(register),
      });
    },
    end() {},
    meter: () => meter,
    notes() {
      const n: string[] = [];
      if (gaps > 0) n.push(`${gaps} row(s) without a volume kept as gaps (not zeros)`);
      if (!offsets) n.push(`local times read in ${t.timeZone}`);
      return n;
    },
  };
}
