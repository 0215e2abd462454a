/** Stored readings: the table (local times of the building), CSV columns. */
import { DateTime } from 'luxon';
import type { ReadingRow, ReadingsPage } from '../services/readings.js';
import type { CsvColumn } from './csv.js';
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
      { key: 'timestamp', header: `Start (${zone})`, format: local },
      {
        key: 'interval_seconds',
        header: 'Minutes',
        format: (v: unknown) => String(Number(v) / 60),
      },
      { key: 'value', header: 'Value', decimals: 3 },
      { key: 'unit', header: 'Unit' },
      {
        key: 'metric_type',
        header: 'Metric',
        format: (v: unknown) => String(v).replace('electricity_', ''),
      },
      { key: 'device_ref', header: 'Meter' },
      { key: 'source', header: 'Source' },
    ],
    rows: res.readings,
    color: view.color,
    maxWidth: view.width,
    empty: 'no readings in this range',
  });
  const p = res.pagination;
  const range = `${res.date_range.start} → ${res.date_range.end}`;
  return `${table}\npage ${p.page} of ${Math.max(p.total_pages, 1)} (${p.total} readings, ${res.building.name}, ${range})`;
}
