/** `status` on a terminal: daemons, meters (failures spelled out), alert delivery. */
import type { SyncStatus } from '../services/meters.js';
import { createColors, type Colors } from './color.js';
import { formatLocalMinute, wrapWords, zoneLabel } from './format.js';
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

/** "yesterday ✓ daily ✓ curve 40/105, ETA 2 h 10 min" or "complete"; blank when none. */
function onboardingCell(o: SyncStatus['devices'][number]['onboarding']): string {
  if (!o) return '';
  if (o.stages.every((s) => s.done)) return 'complete';
  const parts = o.stages.map((s) =>
    s.done ? `${s.stage} done` : `${s.stage} ${s.calls}/${s.calls + s.calls_left}`,
  );
  const m = Math.ceil(o.eta_seconds / 60);
  const eta = m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
  return `${parts.join(', ')}; ETA ${eta}`;
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
      { key: 'onboarding', header: 'Onboarding', drop: 2 },
    ],
    rows: s.devices.map((d) => ({
      ...d,
      state: d.failing
        ? paint.red(`${d.status}${d.last_sync_status ? ` / ${d.last_sync_status}` : ''}`)
        : d.status,
      last: formatLocalMinute(d.last_sync_at, d.building_timezone),
      consent: formatLocalMinute(d.consent_expires_at, d.building_timezone),
      onboarding: onboardingCell(d.onboarding),
    })),
    color: view.color,
    maxWidth: view.width,
    empty: 'no meter linked (koprogo-iot link --provider ores|enedis)',
  });
}

function rejectedText(r: Record<string, number>): string {
  const parts = Object.entries(r).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`);
  return parts.length ? parts.join(', ') : '0';
}

/** P1 meters: their last telegram, what was dropped, and their silences. */
function p1Section(s: SyncStatus, view: View, paint: Colors): string[] {
  if (s.p1_meters.length === 0) return [];
  // Times in the zone the daemon keeps its schedule in, as in the daemons table.
  const p1When = (d: Date | null | undefined, _m: unknown) => formatLocalMinute(d, s.schedule_zone);
  const table = renderTable({
    columns: [
      { key: 'prm', header: 'P1 meter' },
      { key: 'building_name', header: 'Building' },
      { key: 'last', header: 'Last telegram' },
      { key: 'accepted', header: 'Good' },
      { key: 'rejected', header: 'Rejected' },
      { key: 'gaps', header: 'Gaps, quiet' },
    ],
    rows: s.p1_meters.map((m) => ({
      // P1 meters are read where they hang: the building's local time.
      prm: m.prm,
      building_name: m.building_name,
      last: m.quiet_since
        ? paint.red(`quiet since ${p1When(m.quiet_since, m)}`)
        : p1When(m.last_telegram_at, m),
      accepted: m.telegrams_accepted,
      rejected: rejectedText(m.telegrams_rejected),
      gaps: `${m.gaps}, ${m.quiet_periods}`,
    })),
    color: view.color,
    maxWidth: view.width,
  });
  const lines = ['', paint.bold('P1 meters'), table];
  for (const m of s.p1_meters) {
    lines.push(`  ${m.prm}: ${m.via}`);
    if (m.clock_suspect > 0)
      lines.push(
        `  ${m.prm}: ${paint.red('the meter clock was wrong')} ${m.clock_suspect} time(s)`,
      );
    if (m.register_resets > 0) lines.push(`  ${m.prm}: ${m.register_resets} register reset(s)`);
    for (const e of m.recent_events.filter((x) => x.kind === 'gap' || x.kind === 'quiet'))
      lines.push(`  ${m.prm}: ${e.kind} ${p1When(e.from, m)} → ${e.to ? p1When(e.to, m) : 'now'}`);
  }
  return lines;
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
  parts.push(...p1Section(s, view, paint));
  const o = s.outbox;
  const next = o.nextAttemptAt
    ? `, next attempt ${formatLocalMinute(o.nextAttemptAt, s.schedule_zone)} ${s.schedule_zone}`
    : '';
  parts.push(
    '',
    paint.bold('Alerts'),
    wrapWords(
      `  ${o.sent} sent, ${o.pending} pending, ${o.sending} sending, ${o.failed} failed${next}`,
      view.width,
      '  ',
    ),
  );
  for (const p of o.problems) {
    const state = p.status === 'failed' ? paint.red('failed') : 'retrying';
    parts.push(`  ${state} #${p.id} ${p.channel} after ${p.attempts} attempt(s): ${p.lastError}`);
  }
  return parts.join('\n');
}
