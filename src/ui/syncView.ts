/** What a sync did, per meter: the table, and the JSON document. */
import type { SyncOutcome } from '../services/sync.js';
import { renderTable } from './table.js';

export function syncJson(out: SyncOutcome) {
  return {
    devices: out.devices.map((r) => ({
      prm: r.prm,
      provider: r.provider,
      building: r.building,
      status: r.status,
      synced_readings: r.synced_readings,
      date_range: r.date_range,
      anomalies_detected: r.anomalies_detected,
      last_sync_at: r.last_sync_at,
      calls: r.calls,
      gaps: r.gaps,
      ...(r.error ? { error: r.error } : {}),
    })),
    notifications: out.notifications,
  };
}

export function renderSyncOutcome(
  out: SyncOutcome,
  view: { color: boolean; width: number },
): string {
  if (out.devices.length === 0)
    return 'no meter to sync (none linked, or all being synced by another process)';
  return renderTable({
    columns: [
      { key: 'prm', header: 'Meter', keep: true },
      { key: 'building', header: 'Building' },
      { key: 'status', header: 'Status' },
      { key: 'synced_readings', header: 'New readings' },
      { key: 'gaps', header: 'Gap days', drop: 1 },
      { key: 'anomalies_detected', header: 'Anomalies', drop: 2 },
      { key: 'calls', header: 'Calls', drop: 3 },
      { key: 'message', header: 'Error' },
    ],
    rows: out.devices.map((r) => ({ ...r, message: r.error?.message ?? '' })),
    color: view.color,
    maxWidth: view.width,
  });
}
