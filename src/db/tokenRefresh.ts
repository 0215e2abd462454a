/**
 * The "refreshing" marker of a meter's tokens. A token refresh calls the provider, which may
 * take seconds, so it must not happen inside a transaction holding the device row (on the
 * embedded database every other query would wait for that call). Instead a process marks
 * the row as being refreshed by it, calls the provider with no transaction open, and stores
 * the rotated tokens (clearing the marker) in one short transaction before using them.
 */
import type { EncryptionKey } from '../auth/vault.js';
import type { DeviceTokens } from '../providers/types.js';
import { storeDeviceTokens } from './devices.js';
import type { Database, Queryable } from './types.js';

/**
 * Marks the device as being refreshed by `owner`. True when this owner holds the marker now:
 * there was none, it was already this owner's, or it is older than `staleSeconds` (its
 * holder died mid-refresh).
 */
export async function claimTokenRefresh(
  q: Queryable,
  deviceId: string,
  owner: string,
  staleSeconds: number,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE linky_devices
        SET token_refresh_owner = $2, token_refresh_started_at = now()
      WHERE id = $1
        AND (token_refresh_owner IS NULL OR token_refresh_owner = $2
             OR token_refresh_started_at < now() - make_interval(secs => $3))
      RETURNING id`,
    [deviceId, owner, staleSeconds],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Who is refreshing the device's tokens now, if anyone. */
export async function tokenRefreshHolder(
  q: Queryable,
  deviceId: string,
): Promise<{ owner: string; startedAt: Date } | null> {
  const r = await q.query<{ owner: string | null; started_at: Date | null }>(
    `SELECT token_refresh_owner AS owner, token_refresh_started_at AS started_at
       FROM linky_devices WHERE id = $1`,
    [deviceId],
  );
  const row = r.rows[0];
  return row?.owner && row.started_at
    ? { owner: row.owner, startedAt: new Date(row.started_at) }
    : null;
}

/**
 * Stores tokens a refresh returned and clears this owner's marker, in one short transaction.
 * Stored even when the marker was taken over meanwhile: a rotated refresh token is the only
 * one the provider still accepts, so losing it would mean linking the meter again.
 */
export async function storeRefreshedTokens(
  db: Database,
  deviceId: string,
  owner: string,
  tokens: DeviceTokens,
  key: EncryptionKey,
): Promise<void> {
  await db.transaction(async (tx) => {
    await storeDeviceTokens(tx, deviceId, tokens, key);
    await releaseTokenRefresh(tx, deviceId, owner);
  });
}

/** Clears the marker if this owner still holds it (after a failed refresh, or a stored one). */
export async function releaseTokenRefresh(
  q: Queryable,
  deviceId: string,
  owner: string,
): Promise<void> {
  await q.query(
    `UPDATE linky_devices SET token_refresh_owner = NULL, token_refresh_started_at = NULL
      WHERE id = $1 AND token_refresh_owner = $2`,
    [deviceId, owner],
  );
}
