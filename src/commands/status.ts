import { Command } from 'commander';
import { listDaemons, type DaemonRow } from '../db/daemons.js';
import { listDevices, type DeviceWithBuilding } from '../db/devices.js';
import { outboxStatus, type OutboxStatus } from '../notify/outbox.js';
import { renderTable } from '../ui/table.js';
import { createColors } from '../ui/color.js';
import { writeResult } from '../ui/output.js';
import { formatShortInstant } from '../ui/format.js';
import { contextFrom, outputFormat, withDatabase, type Context } from './context.js';

/** A daemon whose heartbeat is older than this is reported as gone. */
const STALE_MS = 3 * 60_000;

export interface StatusReport {
  daemons: (DaemonRow & { alive: boolean })[];
  devices: (Pick<
    DeviceWithBuilding,
    | 'prm'
    | 'provider'
    | 'building_name'
    | 'status'
    | 'status_message'
    | 'last_sync_at'
    | 'last_sync_status'
    | 'consent_expires_at'
    | 'not_before'
    | 'checkpoint_at'
  > & { gaps: number; failing: boolean })[];
  outbox: OutboxStatus;
  recent_runs: {
    prm: string | null;
    started_at: Date;
    status: string;
    readings_written: number;
    calls: number;
    error_class: string | null;
    error_message: string | null;
  }[];
}

export async function runStatus(ctx: Context): Promise<StatusReport> {
  return withDatabase(ctx, 'status', async (db) => {
    const now = Date.now();
    const daemons = (await listDaemons(db)).map((d) => ({
      ...d,
      alive: !d.stopped_at && now - new Date(d.heartbeat_at).getTime() < STALE_MS,
    }));
    const gaps = await db.query<{ device_id: string; n: number }>(
      `SELECT device_id, count(*)::int AS n FROM sync_gaps GROUP BY device_id`,
    );
    const gapBy = new Map(gaps.rows.map((g) => [g.device_id, Number(g.n)]));
    const devices = (await listDevices(db)).map((d) => ({
      prm: d.prm,
      provider: d.provider,
      building_name: d.building_name,
      status: d.status,
      status_message: d.status_message,
      last_sync_at: d.last_sync_at,
      last_sync_status: d.last_sync_status,
      consent_expires_at: d.consent_expires_at,
      not_before: d.not_before,
      checkpoint_at: d.checkpoint_at,
      gaps: gapBy.get(d.id) ?? 0,
      failing: d.status !== 'active' || ['failed', 'partial'].includes(d.last_sync_status ?? ''),
    }));
    const runs = await db.query<StatusReport['recent_runs'][number]>(
      `SELECT prm, started_at, status, readings_written, calls, error_class, error_message
         FROM sync_runs ORDER BY started_at DESC LIMIT 10`,
    );
    return { daemons, devices, outbox: await outboxStatus(db), recent_runs: runs.rows };
  });
}

const when = (d: Date | null | undefined) => (d ? formatShortInstant(new Date(d)) : '-');

export function makeStatusCommand(): Command {
  return new Command('status')
    .description(
      'daemons (heartbeat, last and next cycle), meters (sync state, failures), alert delivery',
    )
    .option('--format <format>', 'table | json', 'table')
    .action(async (opts: { format: string }, c: Command) => {
      const ctx = contextFrom(c);
      const s = await runStatus(ctx);
      const paint = createColors(ctx.color);
      writeResult({
        format: outputFormat(ctx, opts.format),
        json: s,
        table: () => {
          const parts: string[] = [];
          parts.push(paint.bold('Daemons'));
          parts.push(
            renderTable({
              columns: [
                { key: 'hostname', header: 'Host' },
                { key: 'pid', header: 'Pid' },
                { key: 'state', header: 'State' },
                { key: 'heartbeat', header: 'Heartbeat' },
                { key: 'last', header: 'Last cycle' },
                { key: 'next', header: 'Next cycle' },
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
              color: ctx.color,
              maxWidth: ctx.columns,
              empty: 'no daemon has run in the last 7 days (start one: koprogo-iot daemon)',
            }),
          );
          parts.push('', paint.bold('Meters'));
          parts.push(
            renderTable({
              columns: [
                { key: 'prm', header: 'Meter' },
                { key: 'building_name', header: 'Building' },
                { key: 'provider', header: 'Provider' },
                { key: 'state', header: 'Status' },
                { key: 'last', header: 'Last sync' },
                { key: 'gaps', header: 'Gap days' },
                { key: 'consent', header: 'Consent until' },
              ],
              rows: s.devices.map((d) => ({
                ...d,
                state: d.failing
                  ? paint.red(`${d.status}${d.last_sync_status ? ` / ${d.last_sync_status}` : ''}`)
                  : d.status,
                last: when(d.last_sync_at),
                consent: when(d.consent_expires_at),
              })),
              color: ctx.color,
              maxWidth: ctx.columns,
              empty: 'no meter linked (koprogo-iot link --provider ores|enedis)',
            }),
          );
          for (const d of s.devices.filter((x) => x.failing && x.status_message))
            parts.push(`  ${d.prm}: ${d.status_message}`);
          const o = s.outbox;
          parts.push(
            '',
            paint.bold('Alerts'),
            `  ${o.sent} sent, ${o.pending} pending, ${o.sending} sending, ${o.failed} failed${o.nextAttemptAt ? `, next attempt ${when(o.nextAttemptAt)}` : ''}`,
          );
          for (const p of o.problems)
            parts.push(
              `  ${p.status === 'failed' ? paint.red('failed') : 'retrying'} #${p.id} ${p.channel} after ${p.attempts} attempt(s): ${p.lastError}`,
            );
          return parts.join('\n');
        },
        stdout: ctx.out.stdout,
      });
    });
}
