/** `status` on a terminal: daemons, meters (failures spelled out), alert delivery. */
import type { SyncStatus } from '../services/meters.js';
import { createColors, type Colors } from './color.js';
import { formatLocalMinute, zoneLabel } from './format.js';
import { renderTable } from './table.js';

interface View {
  color: boolean;
  width: number;
}

function daemonsTable(s: SyncStatus, view: View, paint: Colors): string {
  const zone = s.schedule_zone;
  const when = (d: Date | null | undefined) => formatLocalMinute(d, zone);
  return renderTable({
    columns: [
      { key: 'hostname', header: 'Host' },
      { key: 'pid', header: 'Pid', drop: 1 },
      { key: 'state', header: 'State' },
      { key: 'heartbeat', header: 'Heartbeat', keep: true, drop: 2 },
      { key: 'last', header: 'Last cycle', keep: true },
      { key: 'next', header: zoneLabel('Next cycle', [zone]), keep: true },
    ],
    rows: s.daemons.map((d) => ({
      hostname: d.hostname,
      pid: d.pid,
      state: d.alive
        ? paint.green('running')
        : d.stopped_at
          ? 'stopped'
          : paint.red('no heartbeat'),
      heartbeat: when(d.heartbeat_at),
      last: d.last_cycle_finished_at
        ? `${when(d.last_cycle_finished_at)} (${d.last_cycle_status})`
        : '-',
      next: when(d.next_cycle_at),
    })),
    color: view.color,
    maxWidth: view.width,
    empty: 'no daemon has run in the last 7 days (start one: koprogo-iot daemon)',
  });
}

function metersTable(s: SyncStatus, view: View, paint: Colors): string {
  const zones = s.devices.map((d) => d.building_timezone);
  return renderTable({
    columns: [
      { key: 'prm', header: 'Meter', keep: true },
      { key: 'building_name', header: 'Building' },
      { key: 'provider', header: 'Provider', drop: 2 },
      { key: 'state', header: 'Status' },
      { key: 'last', header: zoneLabel('Last sync', zones), keep: true },
      { key: 'gaps', header: 'Gap days', drop: 1 },
      { key: 'consent', header: 'Consent until', keep: true, drop: 3 },
    ],
    rows: s.devices.map((d) => ({
      ...d,
      state: d.failing
        ? paint.red(`${d.status}${d.last_sync_status ? ` / ${d.last_sync_status}` : ''}`)
        : d.status,
      last: formatLocalMinute(d.last_sync_at, d.building_timezone),
      consent: formatLocalMinute(d.consent_expires_at, d.building_timezone),
    })),
    color: view.color,
    maxWidth: view.width,
    empty: 'no meter linked (koprogo-iot link --provider ores|enedis)',
  });
}

export function renderSyncStatus(s: SyncStatus, view: View): string {
  const paint = createColors(view.color);
  const parts = [paint.bold('Daemons'), daemonsTable(s, view, paint), '', paint.bold('Meters')];
  parts.push(metersTable(s, view, paint));
  if (s.devices.length === 0 && s.daemons.some((d) => d.alive))
    parts.push(
      paint.yellow('  warning: a daemon is running, but no meter is linked in its database:'),
      `  ${s.database}`,
      '  it syncs nothing. Link one, or give the daemon the data directory and config',
      '  file that `link` used (`koprogo-iot daemon --print-systemd-unit` prints them).',
    );
  for (const d of s.devices.filter((x) => x.failing && x.status_message))
    parts.push(`  ${d.prm}: ${d.status_message}`);
  const o = s.outbox;
  const next = o.nextAttemptAt
    ? `, next attempt ${formatLocalMinute(o.nextAttemptAt, s.schedule_zone)} ${s.schedule_zone}`
    : '';
  parts.push(
    '',
    paint.bold('Alerts'),
    `  ${o.sent} sent, ${o.pending} pending, ${o.sending} sending, ${o.failed} failed${next}`,
  );
  for (const p of o.problems) {
    const state = p.status === 'failed' ? paint.red('failed') : 'retrying';
    parts.push(`  ${state} #${p.id} ${p.channel} after ${p.attempts} attempt(s): ${p.lastError}`);
  }
  return parts.join('\n');
}
