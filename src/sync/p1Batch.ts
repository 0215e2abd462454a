/**
 * A P1 listener's batch as rows: quarter-hour readings of the building's meter (dated by
 * each telegram's own timestamp, as the accumulator placed them), the month's peak, and the
 * events worth keeping. Pure.
 */
import type { DeviceType, MetricType, Reading } from '../domain/readings.js';
import type { P1EventRow } from '../db/p1Batches.js';
import type { P1Batch, P1ListenerEvent, P1Reading } from '../providers/p1/index.js';

const DEVICE_OF: Record<P1Reading['metric'], DeviceType> = {
  electricity_consumption: 'electricity_meter',
  electricity_production: 'electricity_meter',
  electricity_demand: 'electricity_meter',
  gas_consumption: 'gas_meter',
  water_consumption: 'water_meter',
};

export function p1Readings(
  meter: { buildingId: string; deviceRef: string },
  readings: readonly P1Reading[],
  source = 'p1',
): Reading[] {
  return readings.map((r) => ({
    buildingId: meter.buildingId,
    deviceRef: meter.deviceRef,
    deviceType: DEVICE_OF[r.metric],
    metricType: r.metric as MetricType,
    timestamp: new Date(r.start),
    intervalSeconds: Math.round(r.intervalSeconds),
    // A register difference is never negative; interpolation may leave -1e-15.
    value: Math.max(0, r.value),
    unit: r.unit,
    source,
  }));
}

/**
 * Events as rows. A quiet period is one row: opened when the meter falls silent and closed
 * (to_at) when it speaks again; `quietSince` carries the open one across batches.
 */
export function p1EventRows(
  events: readonly P1ListenerEvent[],
  quietSince: Date | null,
): { rows: P1EventRow[]; quietSince: Date | null } {
  const rows: P1EventRow[] = [];
  let open = quietSince;
  for (const e of events) {
    switch (e.kind) {
      case 'gap':
        rows.push({
          kind: 'gap',
          from: new Date(e.from),
          to: new Date(e.to),
          detail: { importKwh: e.importKwh, exportKwh: e.exportKwh },
        });
        break;
      case 'register_reset':
        rows.push({
          kind: 'register_reset',
          from: new Date(e.at),
          to: null,
          detail: { register: e.register, before: e.before, after: e.after },
        });
        break;
      case 'clock_suspect':
        rows.push({
          kind: 'clock_suspect',
          from: new Date(e.at),
          to: null,
          detail: { arrival: new Date(e.arrival).toISOString(), offsetSeconds: e.offsetSeconds },
        });
        break;
      case 'quiet':
        open = new Date(e.since);
        rows.push({ kind: 'quiet', from: open, to: null, detail: {} });
        break;
      case 'resumed':
        if (open) {
          rows.push({
            kind: 'quiet',
            from: open,
            to: new Date(e.at),
            detail: { seconds: e.quietSeconds },
          });
        }
        open = null;
        break;
      case 'out_of_order':
        // Counted by the accumulator; a late duplicate of what is stored is not an event.
        break;
    }
  }
  return { rows, quietSince: open };
}

/** The newest telegram timestamp of a batch, as the last telegram heard. */
export function lastTelegramAt(batch: P1Batch): Date | null {
  const t = batch.latest?.timestamp;
  return t === null || t === undefined ? null : new Date(t);
}
