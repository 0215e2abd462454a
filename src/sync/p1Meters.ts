/**
 * The daemon's P1 meters: one listener per linked P1 meter, each resuming from the state
 * stored with its last batch, each batch written in one transaction. Meters linked or
 * unlinked while the daemon runs are picked up by `refresh()` (called on a timer).
 * The transports reconnect by themselves (a broker restart, a dongle rebooting); the MQTT
 * session is persistent, so telegrams the broker queued meanwhile arrive and are stored
 * where their own timestamps place them.
 */
import type { Keyring } from '../auth/vault.js';
import { saveP1Batch } from '../db/p1Batches.js';
import { listP1Meters, loadP1Connection, type P1MeterRow } from '../db/p1Meters.js';
import type { Database } from '../db/types.js';
import {
  createP1Listener,
  createTransport,
  type AccumulatorOptions,
  type P1Batch,
  type P1Connection,
  type P1Listener,
} from '../providers/p1/index.js';
import { keyringFromEnv } from '../link/keyring.js';
import type { Logger } from '../ui/logger.js';
import { lastTelegramAt, p1EventRows, p1Readings } from './p1Batch.js';

export interface P1MetersOptions {
  db: Database;
  log: Logger;
  /** Opens sealed broker credentials (IOT_ENCRYPTION_KEY and previous keys). */
  keyring: () => Keyring;
  /** Longest wait before telegrams' readings are written (default 5 s). */
  flushMs?: number;
  /** Silence after which a meter is reported quiet (default 60 s). */
  quietSeconds?: number;
  /**
   * How far a telegram's clock may be from its arrival, and the longest silence bridged
   * (defaults in quarterHours.ts). Replaying an old recording needs a wider window.
   */
  accumulator?: AccumulatorOptions;
  /** Called after each batch is stored (tests, the demo). */
  onStored?: (deviceId: string, batch: P1Batch, written: number) => void;
}

export interface RunningP1Meters {
  /** Starts listeners of newly linked meters and stops those of unlinked ones. */
  refresh(): Promise<void>;
  /** Device ids listened to. */
  listening(): string[];
  /** Stops every listener, writing what each has pending. */
  stop(): Promise<void>;
}

/** The MQTT client id of a meter's listener: stable, so the broker keeps its session. */
export function p1ClientId(deviceId: string): string {
  return `koprogo-iot-p1-${deviceId}`;
}

function withClientId(c: P1Connection, deviceId: string): P1Connection {
  return c.kind === 'mqtt' ? { ...c, clientId: c.clientId ?? p1ClientId(deviceId) } : c;
}

interface MeterListener {
  listener: P1Listener;
  /** The quiet period this listener saw start, until the meter speaks again. */
  quietSince: Date | null;
  /** A quiet period stored before this listener started (the daemon stopped meanwhile). */
  inheritedQuiet: Date | null;
  accepted: number;
}

/** What the batch does to p1_meters.quiet_since: set it, clear it (false), or leave it. */
function quietChange(m: MeterListener, open: Date | null, spoke: boolean): Date | false | null {
  if (open && open !== m.quietSince) return open;
  if (!open && (m.quietSince || (m.inheritedQuiet && spoke))) return false;
  return null;
}

async function storeBatch(o: P1MetersOptions, row: P1MeterRow, m: MeterListener, b: P1Batch) {
  const events = p1EventRows(b.events, m.quietSince);
  const spoke = b.latest !== null;
  if (m.inheritedQuiet && spoke) {
    events.rows.push({ kind: 'quiet', from: m.inheritedQuiet, to: new Date(), detail: {} });
  }
  const acceptedDelta = b.counts.accepted - m.accepted;
  const latestAt = lastTelegramAt(b);
  const written = await o.db.transaction((tx) =>
    saveP1Batch(tx, {
      deviceId: row.device_id,
      buildingId: row.building_id,
      deviceRef: row.prm,
      readings: p1Readings({ buildingId: row.building_id, deviceRef: row.prm }, b.readings),
      peaks: b.peaks,
      events: events.rows,
      state: b.state,
      acceptedDelta,
      rejected: b.rejected,
      lastTelegramAt: latestAt,
      lastArrivalAt: acceptedDelta > 0 ? new Date() : null,
      quietSince: quietChange(m, events.quietSince, spoke),
    }),
  );
  // Only once committed: a failed write is retried from the same counts with the next batch.
  m.accepted = b.counts.accepted;
  m.quietSince = events.quietSince;
  if (spoke) m.inheritedQuiet = null;
  o.onStored?.(row.device_id, b, written);
}

export function startP1Meters(o: P1MetersOptions): RunningP1Meters {
  const running = new Map<string, MeterListener>();

  async function start(row: P1MeterRow): Promise<void> {
    const log = o.log.child({ prm: row.prm, provider: 'p1' });
    const connection = withClientId(await loadP1Connection(o.db, row, o.keyring), row.device_id);
    const transport = createTransport(connection);
    const m: MeterListener = {
      listener: null as unknown as P1Listener,
      quietSince: null,
      inheritedQuiet: row.quiet_since,
      accepted: 0,
    };
    m.listener = createP1Listener({
      transport,
      ...(row.resume_state ? { resume: row.resume_state } : {}),
      ...(o.flushMs !== undefined ? { flushMs: o.flushMs } : {}),
      ...(o.accumulator ? { accumulator: o.accumulator } : {}),
      ...(o.quietSeconds !== undefined ? { quietSeconds: o.quietSeconds } : {}),
      onBatch: (b) => storeBatch(o, row, m, b),
      onError: (e) => log.warn('P1 meter', { err: e.message }),
    });
    running.set(row.device_id, m);
    m.listener.start();
    log.info('listening to P1 meter', { via: transport.description });
  }

  async function refresh(): Promise<void> {
    const rows = await listP1Meters(o.db, { activeOnly: true });
    const wanted = new Set(rows.map((r) => r.device_id));
    for (const [id, m] of running) {
      if (wanted.has(id)) continue;
      running.delete(id);
      await m.listener.stop();
    }
    for (const row of rows) {
      if (running.has(row.device_id)) continue;
      try {
        await start(row);
      } catch (e) {
        // One meter with bad settings or a lost key must not keep the others from listening.
        o.log.warn('P1 meter not started', { prm: row.prm, err: (e as Error).message });
      }
    }
  }

  return {
    refresh,
    listening: () => [...running.keys()],
    async stop() {
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((m) => m.listener.stop()));
    },
  };
}

/** How often the daemon looks for P1 meters linked or unlinked since it started. */
const REFRESH_MS = 60_000;

/**
 * The daemon's P1 listeners: started for every active P1 meter, refreshed every minute,
 * broker credentials opened with IOT_ENCRYPTION_KEY (and the previous keys) when needed.
 */
export async function startDaemonP1Meters(o: {
  db: Database;
  log: Logger;
  encryptionKey: string | null | undefined;
  env: Record<string, string | undefined>;
}): Promise<{ stop(): Promise<void> }> {
  const meters = startP1Meters({
    db: o.db,
    log: o.log,
    keyring: () => keyringFromEnv(o.env, o.encryptionKey ?? undefined),
  });
  await meters.refresh();
  const timer = setInterval(() => {
    meters.refresh().catch((e: Error) => o.log.warn('P1 meters not refreshed', { err: e.message }));
  }, REFRESH_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await meters.stop();
    },
  };
}
