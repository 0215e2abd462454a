/**
 * Daily aggregates of a building's readings, the input of the statistics.
 *
 * Two paths give the same rows: the daily aggregate `iot_readings_daily` (a TimescaleDB
 * continuous aggregate, bucketed by local day in Europe/Brussels), used when TimescaleDB is
 * there and the building is in that zone; otherwise the readings themselves grouped by
 * local day in the building's zone. Both first sum per series and day, then combine the
 * series in the same order here, so they agree to the last digit kept.
 *
 * A continuous aggregate only shows, below its watermark, what was materialised: a
 * backfill older than the refresh policy's window, or a re-synced value, would stay
 * invisible or stale until someone refreshes that range. So the aggregate path first
 * refreshes the days asked for (up to the start of today, which stays real-time); that is
 * incremental, nearly free when nothing changed there.
 */
import { DateTime } from 'luxon';
import type { DailyAggregate } from '../analytics/stats.js';
import { detectTimescale } from './timescale.js';
import type { Queryable } from './types.js';

/** The zone the daily aggregate is bucketed in (see migrations). */
export const AGGREGATE_ZONE = 'Europe/Brussels';

export type DailySource = 'aggregate' | 'readings';

export interface DailyQuery {
  buildingId: string;
  /** The building's time zone: local days are its calendar days. */
  zone: string;
  metricType: string;
  /** One series (a meter's PRM); default every series of the building. */
  deviceRef?: string;
  /** First local day, inclusive, `YYYY-MM-DD`. */
  fromDay: string;
  /** Last local day, exclusive, `YYYY-MM-DD`. */
  toDay: string;
  /** Force one path (tests, benchmarks); default: the aggregate where it applies. */
  source?: DailySource;
}

interface SeriesDayRow {
  device_ref: string;
  day: string;
  total: number;
  min_value: number;
  max_value: number;
  readings: number;
  interval_seconds: number;
  covered_seconds: number;
}

/** Which path a query takes for a building in `zone`. */
/**
 * True when every local midnight of [fromDay, toDay) is the same instant in `zone` as in the
 * aggregate's zone (Europe/Paris, Amsterdam, Luxembourg… share Brussels' rules): the daily
 * buckets are then the same days, and the aggregate serves that building too.
 */
export function sameDaysAsAggregate(zone: string, fromDay: string, toDay: string): boolean {
  if (zone === AGGREGATE_ZONE) return true;
  let d = DateTime.fromISO(fromDay, { zone: AGGREGATE_ZONE });
  const end = DateTime.fromISO(toDay, { zone: AGGREGATE_ZONE });
  if (!d.isValid || !end.isValid) return false;
  for (let i = 0; d < end && i < 40_000; i++, d = d.plus({ days: 1 })) {
    const other = DateTime.fromISO(d.toISODate() as string, { zone });
    if (!other.isValid || other.toMillis() !== d.toMillis()) return false;
  }
  return true;
}

export async function dailySource(
  q: Queryable,
  zone: string,
  range?: { fromDay: string; toDay: string },
): Promise<DailySource> {
  if (zone !== AGGREGATE_ZONE && !(range && sameDaysAsAggregate(zone, range.fromDay, range.toDay)))
    return 'readings';
  const ts = await detectTimescale(q);
  return ts.installed ? 'aggregate' : 'readings';
}

/** True when iot_readings_daily is a continuous aggregate (not the plain-view fallback). */
async function isContinuous(q: Queryable): Promise<boolean> {
  if (!(await detectTimescale(q)).installed) return false;
  const r = await q.query<{ yes: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM timescaledb_information.continuous_aggregates
                     WHERE view_name = 'iot_readings_daily') AS yes`,
  );
  return !!r.rows[0]?.yes;
}

/** Materialises the aggregate's days in [fromDay, toDay), stopping before today. */
async function refreshDays(q: Queryable, fromDay: string, toDay: string): Promise<void> {
  const r = await q.query<{ start: Date | string; end: Date | string }>(
    `SELECT ${localMidnight('$1', `'${AGGREGATE_ZONE}'`)} AS start,
            LEAST(${localMidnight('$2', `'${AGGREGATE_ZONE}'`)},
                  date_trunc('day', now() AT TIME ZONE '${AGGREGATE_ZONE}') AT TIME ZONE '${AGGREGATE_ZONE}') AS end`,
    [fromDay, toDay],
  );
  const row = r.rows[0];
  if (!row) return;
  const start = new Date(row.start);
  const end = new Date(row.end);
  if (!(start < end)) return;
  // CALL takes no bind parameters everywhere: the bounds are ISO instants we produced.
  await q.query(
    `CALL refresh_continuous_aggregate('iot_readings_daily', '${start.toISOString()}'::timestamptz, '${end.toISOString()}'::timestamptz)`,
  );
}

// Local midnight of a `YYYY-MM-DD` day in a zone, as timestamptz: date → local timestamp →
// instant. Done in SQL so a 23- or 25-hour day is the server's calendar, not ours.
const localMidnight = (dayParam: string, zoneParam: string) =>
  `((${dayParam}::date)::timestamp AT TIME ZONE ${zoneParam})`;

function aggregateSql(withDevice: boolean): string {
  return `
SELECT device_ref,
       to_char(day AT TIME ZONE '${AGGREGATE_ZONE}', 'YYYY-MM-DD') AS day,
       total::float8 AS total, min_value::float8 AS min_value, max_value::float8 AS max_value,
       readings::int AS readings, interval_seconds::int AS interval_seconds,
       covered_seconds::float8 AS covered_seconds
  FROM iot_readings_daily
 WHERE building_id = $1 AND metric_type = $2
   AND day >= ${localMidnight('$3', '$5')} AND day < ${localMidnight('$4', '$5')}
   ${withDevice ? 'AND device_ref = $6' : ''}
 ORDER BY 2, 1`;
}

function readingsSql(withDevice: boolean): string {
  // Group on the local date (a cheap cast), and format only the groups.
  return `
SELECT device_ref, to_char(d, 'YYYY-MM-DD') AS day,
       sum(value)::float8 AS total, min(value)::float8 AS min_value,
       max(value)::float8 AS max_value, count(*)::int AS readings,
       min(interval_seconds)::int AS interval_seconds,
       sum(interval_seconds)::float8 AS covered_seconds
  FROM (SELECT device_ref, ("timestamp" AT TIME ZONE $5)::date AS d, value, interval_seconds
          FROM iot_readings
         WHERE building_id = $1 AND metric_type = $2
           AND "timestamp" >= ${localMidnight('$3', '$5')} AND "timestamp" < ${localMidnight('$4', '$5')}
           ${withDevice ? 'AND device_ref = $6' : ''}) AS r
 GROUP BY device_ref, d
 ORDER BY d, device_ref`;
}

/**
 * Sums in a different order differ in the last bits; kWh never needs more than nine
 * decimals (a Wh over a 10-minute step is 1.6667e-4 kWh), so both paths round here.
 */
function clean(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

/**
 * One row per local day in [fromDay, toDay) that holds readings, oldest first. With several
 * series (meters) in the building, a day combines them: total, count and extremes over
 * every interval, and covered seconds averaged over the series of the range, so a day one
 * meter missed shows as partly covered.
 */
export async function dailyAggregates(q: Queryable, f: DailyQuery): Promise<DailyAggregate[]> {
  const source = f.source ?? (await dailySource(q, f.zone, f));
  // dailySource already checked the calendar; a source forced by the caller is checked here.
  if (f.source === 'aggregate' && !sameDaysAsAggregate(f.zone, f.fromDay, f.toDay)) {
    throw new RangeError(`the daily aggregate is bucketed in ${AGGREGATE_ZONE}, not ${f.zone}`);
  }
  if (source === 'aggregate' && (await isContinuous(q))) await refreshDays(q, f.fromDay, f.toDay);
  const params: unknown[] = [f.buildingId, f.metricType, f.fromDay, f.toDay, f.zone];
  if (f.deviceRef) params.push(f.deviceRef);
  const sql = source === 'aggregate' ? aggregateSql(!!f.deviceRef) : readingsSql(!!f.deviceRef);
  const r = await q.query<SeriesDayRow>(sql, params);

  const series = new Set<string>();
  const byDay = new Map<string, DailyAggregate & { coveredSeconds: number }>();
  for (const row of r.rows) {
    series.add(row.device_ref);
    const total = clean(Number(row.total));
    const min = Number(row.min_value);
    const max = Number(row.max_value);
    const count = Number(row.readings);
    const interval = Number(row.interval_seconds);
    const covered = Number(row.covered_seconds);
    const d = byDay.get(row.day);
    if (!d) {
      byDay.set(row.day, {
        day: row.day,
        total,
        min,
        max,
        count,
        intervalSeconds: interval,
        coveredSeconds: covered,
      });
    } else {
      d.total = clean(d.total + total);
      d.min = Math.min(d.min, min);
      d.max = Math.max(d.max, max);
      d.count += count;
      d.intervalSeconds = Math.min(d.intervalSeconds, interval);
      d.coveredSeconds += covered;
    }
  }
  const n = Math.max(1, series.size);
  return [...byDay.values()].map((d) => ({ ...d, coveredSeconds: d.coveredSeconds / n }));
}

/** The series (device refs) of a building holding readings of a metric, in a window. */
export async function seriesOfBuilding(
  q: Queryable,
  f: { buildingId: string; metricType: string; from: Date; to: Date; deviceRef?: string },
): Promise<string[]> {
  const params: unknown[] = [f.buildingId, f.metricType, f.from.toISOString(), f.to.toISOString()];
  if (f.deviceRef) params.push(f.deviceRef);
  const r = await q.query<{ device_ref: string }>(
    `SELECT DISTINCT device_ref FROM iot_readings
      WHERE building_id = $1 AND metric_type = $2 AND "timestamp" >= $3 AND "timestamp" < $4
      ${f.deviceRef ? 'AND device_ref = $5' : ''}
      ORDER BY device_ref`,
    params,
  );
  return r.rows.map((x) => x.device_ref);
}
