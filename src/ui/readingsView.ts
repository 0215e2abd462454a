/** Stored readings: the table (local times of the building), CSV columns. */
import { DateTime } from 'luxon';
import type { ReadingRow, ReadingsPage } from '../services/readings.js';
import type { CsvColumn } from './csv.js';
import { wrapWords } from './format.js';
import { renderTable } from './table.js';

export const READINGS_CSV_COLUMNS: CsvColumn<ReadingRow>[] = (
  [
    'timestamp',
    'value',
    'unit',
    'metric_type',
    'device_type',
    'device_ref',
    'interval_seconds',
    'source',
    'building_id',
  ] as const
).map((key) => ({ key, header: key }));

export function renderReadings(res: ReadingsPage, view: { color: boolean; width: number }): string {
  const zone = res.building.timezone;
  const local = (iso: unknown) =>
    DateTime.fromISO(String(iso)).setZone(zone).toFormat('yyyy-MM-dd HH:mm ZZ');
  const table = renderTable({
    columns: [
      { key: 'timestamp', header: `Start (${zone})`, format: local, keep: true },
      {
        key: 'interval_seconds',
        header: 'Minutes',
        drop: 2,
        format: (v: unknown) => String(Number(v) / 60),
      },
      { key: 'value', header: 'Value', decimals: 3 },
      { key: 'unit', header: 'Unit', drop: 1 },
      {
        key: 'metric_type',
        header: 'Metric',
        drop: 3,
        format: (v: unknown) => String(v).replace('electricity_', ''),
      },
      { key: 'device_ref', header: 'Meter', keep: true },
      { key: 'source', header: 'Source', drop: 4 },
    ],
    rows: res.readings,
    color: view.color,
    maxWidth: view.width,
    empty: 'no readings in this range',
  });
  const p = res.pagination;
  const day = (iso: string) => DateTime.fromISO(iso).setZone(zone).toFormat('yyyy-MM-dd HH:mm');
  const range = `${day(res.date_range.start)} → ${day(res.date_range.end)} ${zone}`;
  if (p.total > 0 && p.page > p.total_pages)
    return wrapWords(
      `page ${p.page} is past the end: ${p.total} readings make ${p.total_pages} page(s) of ${p.per_page} (${res.building.name}, ${range}); ask for --page ${p.total_pages} or less`,
      view.width,
    );
  return `${table}\n${wrapWords(`page ${p.page} of ${Math.max(p.total_pages, 1)} (${p.total} readings, ${res.building.name}, ${range})`, view.width)}`;
}
