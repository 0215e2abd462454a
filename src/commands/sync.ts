import { Command } from 'commander';
import { localDayOf } from '../analytics/periods.js';
import { resolveBuilding } from '../db/buildings.js';
import { requireDevice } from '../db/devices.js';
import { PartialFailureError, ProviderError, UsageError } from '../domain/errors.js';
import { deliverPending } from '../notify/outbox.js';
import { anomalyHook, consentLostHook } from '../sync/hooks.js';
import { createSyncEnv } from '../sync/syncEnv.js';
import { syncDevices } from '../sync/syncDevices.js';
import type { DeviceSyncResult } from '../sync/syncDevice.js';
import { createProgress } from '../ui/progress.js';
import { renderTable } from '../ui/table.js';
import { toJson } from '../ui/output.js';
import { withStopSignals } from '../signals.js';
import { contextFrom, withDatabase, type Context } from './context.js';
import { checkRange, parseFrom, parseTo } from './dateRange.js';

export interface SyncOptions {
  building?: string;
  device?: string;
  from?: string;
  to?: string;
}

export interface SyncOutcome {
  devices: DeviceSyncResult[];
  notifications: { sent: number; retrying: number; failed: number };
}

export async function runSync(
  ctx: Context,
  o: SyncOptions,
  deps: { signal?: AbortSignal; fetch?: typeof fetch; minBackoffMs?: number } = {},
): Promise<SyncOutcome> {
  if (o.building && o.device) throw new UsageError('give --building or --device, not both');
  return withDatabase(ctx, 'sync', async (db) => {
    const filter: { deviceIds?: string[]; buildingId?: string; dueOnly: boolean } = {
      dueOnly: false,
    };
    let zone = ctx.config.defaults.timeZone;
    if (o.device) {
      const d = await requireDevice(db, o.device);
      filter.deviceIds = [d.id];
      zone = d.building_timezone;
    } else if (o.building || ctx.config.defaults.building) {
      const b = await resolveBuilding(db, o.building, ctx.config.defaults.building);
      filter.buildingId = b.id;
      zone = b.timezone;
    }
    // Command-line days are the building's; provider windows are in the provider's zone
    // (Europe/Paris and Europe/Brussels share their offsets).
    checkRange(o.from, o.to, zone);
    const fromDay = o.from ? localDayOf(parseFrom(o.from, zone), zone) : undefined;
    const toDay = o.to ? localDayOf(parseTo(o.to, zone), zone) : undefined;
    const bar = createProgress({
      stream: ctx.out.stderr,
      total: 0,
      label: 'sync',
      enabled: ctx.interactive,
      color: ctx.color,
    });
    let total = 0;
    const env = createSyncEnv({
      db,
      config: ctx.config,
      log: ctx.log,
      env: ctx.env,
      signal: deps.signal,
      fetch: deps.fetch,
      minBackoffMs: deps.minBackoffMs,
      progress: { addTotal: (n) => bar.setTotal((total += n)), tick: (n) => bar.tick(n) },
      afterDevice: anomalyHook(db, ctx.config, ctx.log),
      onConsentLost: consentLostHook(ctx.log),
    });
    const devices = await syncDevices(env, filter, { fromDay, toDay });
    bar.done();
    const delivered = await deliverPending(db, ctx.config, { log: ctx.log });
    return {
      devices,
      notifications: {
        sent: delivered.sent,
        retrying: delivered.retrying,
        failed: delivered.failed,
      },
    };
  });
}

export function makeSyncCommand(): Command {
  return new Command('sync')
    .description(
      'fetch new readings of linked meters now (first run backfills the provider history)',
    )
    .option('--building <name|id>', 'only the meters of this building')
    .option('--device <prm|id>', 'only this meter')
    .option(
      '--from <date>',
      'start (YYYY-MM-DD local day or ISO instant; default: checkpoint minus the overlap)',
    )
    .option('--to <date>', 'end (default: today; day D is published on D+1)')
    .action(async (opts: SyncOptions, c: Command) => {
      const ctx = contextFrom(c);
      const out: SyncOutcome = await withStopSignals((signal) => runSync(ctx, opts, { signal }), {
        reason: (sig) => new Error(`interrupted by ${sig}`),
      });
      const rows = out.devices;
      if (ctx.flags.json) {
        ctx.out.stdout.write(
          toJson({
            devices: rows.map((r) => ({
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
          }),
        );
      } else if (rows.length === 0) {
        ctx.out.stdout.write(
          'no meter to sync (none linked, or all being synced by another process)\n',
        );
      } else {
        ctx.out.stdout.write(
          renderTable({
            columns: [
              { key: 'prm', header: 'Meter' },
              { key: 'building', header: 'Building' },
              { key: 'status', header: 'Status' },
              { key: 'synced_readings', header: 'New readings' },
              { key: 'gaps', header: 'Gap days' },
              { key: 'anomalies_detected', header: 'Anomalies' },
              { key: 'calls', header: 'Calls' },
              { key: 'message', header: 'Error' },
            ],
            rows: rows.map((r) => ({ ...r, message: r.error?.message ?? '' })),
            color: ctx.color,
            maxWidth: ctx.columns,
          }) + '\n',
        );
      }
      const bad = rows.filter((r) => !['success', 'no_data'].includes(r.status));
      if (bad.length > 0 && bad.length === rows.length)
        throw new ProviderError(
          `no meter synced: ${bad.map((r) => `${r.prm} ${r.error?.message ?? r.status}`).join('; ')}`,
        );
      if (bad.length > 0)
        throw new PartialFailureError(
          `${bad.length} of ${rows.length} meters did not sync completely`,
          { hint: 'see `koprogo-iot status`; they are tried again on the next run' },
        );
    });
}
