/**
 * The alert outbox. A notification row is written in the transaction that stores its
 * anomaly, so an anomaly is never stored without its alerts nor alerted without being
 * stored; delivery happens later (daemon, sync) and survives crashes and restarts.
 *
 * Delivery is at most once per anomaly and channel, with one documented exception. Rows
 * are claimed one at a time, right before each is sent (`FOR UPDATE SKIP LOCKED`, so
 * concurrent deliverers never take the same row), by setting it to `sending` with
 * `next_attempt_at` holding that claim's deadline. The deadline (default 15 minutes) is far
 * past any channel's timeout (webhooks at most 120 s), so a live deliverer always records
 * its outcome before anyone may take the row over. A process that dies between claim and
 * outcome leaves the row in `sending`: once the deadline has passed the row is retried,
 * because an alert lost for good is worse than a rare repeat. That retry is the only case
 * of a repeat; the receiver gets a delivery key, the same on every try (`Idempotency-Key`
 * on webhooks, the Message-ID of e-mails), so it can drop it.
 */
import type { ChannelConfig, Config, Env, Language } from '../config.js';
import type { StoredAnomaly } from '../db/anomalies.js';
import type { Database, Queryable } from '../db/types.js';
import type { Logger } from '../ui/logger.js';
import { sendEmail } from './channels/email.js';
import { sendLog } from './channels/log.js';
import { sendWebhook } from './channels/webhook.js';
import { buildPayload, type NotificationPayload } from './payload.js';

export { buildPayload, type NotificationPayload } from './payload.js';

/** A claimed notification, handed to a channel. */
export interface OutgoingNotification {
  id: number;
  anomalyId: string | null;
  channel: string;
  attempt: number;
  payload: NotificationPayload;
}

export interface SendContext {
  /** The channel's name in the configuration. */
  name: string;
  env: Env;
  fetch: typeof fetch;
  log: Logger;
  now: Date;
}

export type Sender<C extends ChannelConfig = ChannelConfig> = (
  n: OutgoingNotification,
  channel: C,
  ctx: SendContext,
) => Promise<void>;

export interface ChannelDeps {
  /** Where secrets named by the configuration are read (default process.env). */
  env?: Env;
  fetch?: typeof fetch;
}

/**
 * Queues one notification per channel for a freshly stored anomaly. Call it with the
 * transaction that stored the anomaly. Returns how many rows were queued (a channel
 * already queued for this anomaly is skipped).
 */
export async function enqueueNotifications(
  tx: Queryable,
  anomaly: StoredAnomaly,
  channels: readonly string[],
  language: Language,
): Promise<number> {
  const unique = [...new Set(channels)];
  if (unique.length === 0) return 0;
  const b = await tx.query<{ name: string; timezone: string }>(
    'SELECT name, timezone FROM buildings WHERE id = $1',
    [anomaly.buildingId],
  );
  const payload = buildPayload(anomaly, language, b.rows[0] ?? null);
  const r = await tx.query(
    `INSERT INTO notifications (anomaly_id, channel, payload)
     SELECT $1, c, $3::jsonb FROM unnest($2::text[]) AS c
     ON CONFLICT (anomaly_id, channel) DO NOTHING`,
    [anomaly.id, unique, JSON.stringify(payload)],
  );
  return r.rowCount;
}

export interface DeliverOptions {
  log: Logger;
  /** Clock (tests move it to pass backoffs); default the system clock. */
  now?: () => Date;
  /** Rows claimed per run. Default 50. */
  limit?: number;
  /** Attempts before a row is marked failed. Default 8 (about an hour of retries). */
  maxAttempts?: number;
  /** How long a claimed row may stay in `sending` before it is retried. Default 15 min. */
  sendingTimeoutMs?: number;
  /** Delay before attempt n + 1 after n failed attempts, in ms. */
  backoffMs?: (attempts: number) => number;
  deps?: ChannelDeps;
}

export interface DeliveryResult {
  claimed: number;
  sent: number;
  /** Failed this time, to be tried again later. */
  retrying: number;
  /** Failed for good (attempts used up). */
  failed: number;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_SENDING_TIMEOUT_MS = 15 * 60_000;

/** 30 s, 1 min, 2 min, … capped at one hour. */
export function defaultBackoffMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

interface ClaimedRow {
  id: number | string | bigint;
  anomaly_id: string | null;
  channel: string;
  attempts: number;
  payload: NotificationPayload | string;
}

function toOutgoing(r: ClaimedRow): OutgoingNotification {
  return {
    id: Number(r.id),
    anomalyId: r.anomaly_id,
    channel: r.channel,
    attempt: Number(r.attempts),
    payload: (typeof r.payload === 'string'
      ? JSON.parse(r.payload)
      : r.payload) as NotificationPayload,
  };
}

/**
 * Rows left in `sending` past their deadline by a deliverer that died: failed when no
 * attempt is left, else pending again (due at once), so the claim below only ever takes
 * pending rows.
 */
async function recoverInterrupted(db: Queryable, at: string, maxAttempts: number): Promise<void> {
  await db.query(
    `UPDATE notifications
        SET status = CASE WHEN attempts >= $2 THEN 'failed' ELSE 'pending' END,
            last_error = 'delivery interrupted: no outcome recorded before the sending timeout'
      WHERE status = 'sending' AND next_attempt_at <= $1::timestamptz`,
    [at, maxAttempts],
  );
}

/**
 * Claims the next due row, just before sending it: its deadline counts from now, so a
 * slow channel ahead of it in the run cannot use up its time. `attempts` (raised by the
 * claim) identifies this claim when the outcome is recorded.
 */
async function claimOne(
  db: Queryable,
  now: Date,
  timeoutMs: number,
): Promise<OutgoingNotification | null> {
  const deadline = new Date(now.getTime() + timeoutMs).toISOString();
  const r = await db.query<ClaimedRow>(
    `WITH due AS (
       SELECT id FROM notifications
        WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
        ORDER BY next_attempt_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
     UPDATE notifications n
        SET status = 'sending', attempts = n.attempts + 1, next_attempt_at = $2::timestamptz
       FROM due WHERE n.id = due.id
     RETURNING n.id, n.anomaly_id, n.channel, n.attempts, n.payload`,
    [now.toISOString(), deadline],
  );
  return r.rows[0] ? toOutgoing(r.rows[0]) : null;
}

function send(n: OutgoingNotification, config: Config, ctx: SendContext): Promise<void> {
  const channel = config.notifications.channels[n.channel];
  if (!channel) {
    return Promise.reject(new Error(`channel "${n.channel}" is not in notifications.channels`));
  }
  switch (channel.type) {
    case 'log':
      return sendLog(n, channel, ctx);
    case 'webhook':
      return sendWebhook(n, channel, ctx);
    case 'email':
      return sendEmail(n, channel, ctx);
  }
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/**
 * Delivers the notifications that are due: claims them, sends each through its channel,
 * records the outcome. Safe to run from several processes at once.
 */
export async function deliverPending(
  db: Database,
  config: Config,
  opts: DeliverOptions,
): Promise<DeliveryResult> {
  const clock = opts.now ?? (() => new Date());
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = opts.backoffMs ?? defaultBackoffMs;
  const limit = opts.limit ?? 50;
  const timeoutMs = opts.sendingTimeoutMs ?? DEFAULT_SENDING_TIMEOUT_MS;
  const result: DeliveryResult = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
  await recoverInterrupted(db, clock().toISOString(), maxAttempts);
  while (result.claimed < limit) {
    const n = await claimOne(db, clock(), timeoutMs);
    if (!n) break;
    result.claimed++;
    const fields = { notification: n.id, channel: n.channel, anomaly: n.anomalyId };
    const ctx: SendContext = {
      name: n.channel,
      env: opts.deps?.env ?? process.env,
      fetch: opts.deps?.fetch ?? fetch,
      log: opts.log,
      now: clock(),
    };
    try {
      await send(n, config, ctx);
    } catch (e) {
      const error = errorText(e);
      const now = clock();
      if (n.attempt >= maxAttempts) {
        await settleFailure(db, n, 'failed', now, error);
        result.failed++;
        opts.log.error('alert delivery failed for good', { ...fields, attempts: n.attempt, error });
      } else {
        const next = new Date(now.getTime() + backoff(n.attempt));
        await settleFailure(db, n, 'pending', next, error);
        result.retrying++;
        opts.log.warn('alert delivery failed, will retry', { ...fields, retry_at: next, error });
      }
      continue;
    }
    await settleSent(db, n, clock());
    result.sent++;
    opts.log.debug('alert delivered', fields);
  }
  return result;
}

/**
 * A delivery happened: that is recorded whichever claim made it, even one that outlived
 * its deadline and was taken over meanwhile, so no later claim sends the alert again.
 */
async function settleSent(db: Queryable, n: OutgoingNotification, at: Date): Promise<void> {
  await db.query(
    `UPDATE notifications SET status = 'sent', sent_at = $2::timestamptz, last_error = NULL
      WHERE id = $1 AND status <> 'sent'`,
    [n.id, at.toISOString()],
  );
}

/**
 * A failed try is recorded only by the claim that is still current: a newer claim may be
 * sending (or have sent) the alert, and its outcome must not be overwritten.
 */
async function settleFailure(
  db: Queryable,
  n: OutgoingNotification,
  status: 'pending' | 'failed',
  at: Date,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE notifications
        SET status = $3,
            next_attempt_at = CASE WHEN $3 = 'pending' THEN $4::timestamptz ELSE next_attempt_at END,
            last_error = $5
      WHERE id = $1 AND status = 'sending' AND attempts = $2`,
    [n.id, n.attempt, status, at.toISOString(), error],
  );
}

export interface OutboxProblem {
  id: number;
  anomalyId: string | null;
  channel: string;
  status: 'pending' | 'failed';
  attempts: number;
  lastError: string;
  /** For a row still retried: when. */
  nextAttemptAt: Date | null;
}

export interface OutboxStatus {
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  /** The earliest due time among pending rows. */
  nextAttemptAt: Date | null;
  /** Failed rows and rows being retried after an error, most recent first (at most 10). */
  problems: OutboxProblem[];
}

/** Counts and recent delivery errors, for `koprogo-iot status`. */
export async function outboxStatus(q: Queryable): Promise<OutboxStatus> {
  const counts = await q.query<{ status: string; n: number; next: Date | string | null }>(
    `SELECT status, count(*)::int AS n, min(next_attempt_at) AS next
       FROM notifications GROUP BY status`,
  );
  const status: OutboxStatus = {
    pending: 0,
    sending: 0,
    sent: 0,
    failed: 0,
    nextAttemptAt: null,
    problems: [],
  };
  for (const row of counts.rows) {
    const k = row.status as 'pending' | 'sending' | 'sent' | 'failed';
    status[k] = Number(row.n);
    if (k === 'pending' && row.next !== null) status.nextAttemptAt = new Date(row.next);
  }
  const problems = await q.query<{
    id: number | string;
    anomaly_id: string | null;
    channel: string;
    status: 'pending' | 'failed';
    attempts: number;
    last_error: string;
    next_attempt_at: Date | string;
  }>(
    `SELECT id, anomaly_id, channel, status, attempts, last_error, next_attempt_at
       FROM notifications
      WHERE last_error IS NOT NULL AND status IN ('pending', 'failed')
      ORDER BY id DESC LIMIT 10`,
  );
  status.problems = problems.rows.map((r) => ({
    id: Number(r.id),
    anomalyId: r.anomaly_id,
    channel: r.channel,
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    nextAttemptAt: r.status === 'pending' ? new Date(r.next_attempt_at) : null,
  }));
  return status;
}
