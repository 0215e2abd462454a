/** One page of a building's stored readings, oldest first, in the seed's shape. */
import { resolveBuilding } from '../db/buildings.js';
import { countReadings, listReadings as selectReadings } from '../db/readings.js';
import { resolveSeriesRef } from './meterRef.js';
import type { DeviceType, MetricType } from '../domain/readings.js';
import {
  buildingSummary,
  type BuildingRef,
  type BuildingSummary,
  type ServiceDeps,
} from './deps.js';

export interface ReadingsQuery {
  building?: BuildingRef;
  /** [from, to), read in the building's zone. */
  range: (zone: string) => { from: Date; to: Date };
  deviceType?: DeviceType;
  metricType?: MetricType;
  device?: string;
  page: number;
  perPage: number;
}

export interface ReadingRow {
  key: string;
  building_id: string;
  device_ref: string;
  device_type: string;
  metric_type: string;
  value: number;
  unit: string;
  timestamp: string;
  interval_seconds: number;
  source: string;
}

export interface ReadingsPage {
  readings: ReadingRow[];
  pagination: { page: number; per_page: number; total: number; total_pages: number };
  date_range: { start: string; end: string };
  building: BuildingSummary;
}

export async function listReadings(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  query: ReadingsQuery,
): Promise<ReadingsPage> {
  const building = await resolveBuilding(deps.db, query.building, deps.config.defaults.building);
  const range = query.range(building.timezone);
  const device = await resolveSeriesRef(deps.db, building, query.device);
  const filter = {
    buildingId: building.id,
    from: range.from,
    to: range.to,
    deviceType: query.deviceType,
    metricType: query.metricType,
    deviceRef: device,
  };
  const total = await countReadings(deps.db, filter);
  const rows = await selectReadings(deps.db, filter, query.page, query.perPage);
  return {
    readings: rows.map((r) => {
      const timestamp = new Date(r.timestamp).toISOString();
      return {
        key: `${r.device_ref}/${r.metric_type}/${timestamp}`,
        building_id: r.building_id,
        device_ref: r.device_ref,
        device_type: r.device_type,
        metric_type: r.metric_type,
        value: r.value,
        unit: r.unit,
        timestamp,
        interval_seconds: r.interval_seconds,
        source: r.source,
      };
    }),
    pagination: {
      page: query.page,
      per_page: query.perPage,
      total,
      total_pages: Math.ceil(total / query.perPage),
    },
    date_range: { start: range.from.toISOString(), end: range.to.toISOString() },
    building: buildingSummary(building),
  };
}
