/**
 * P1 meters (`p1_meters`): how to reach a meter's telegrams, its broker credentials sealed
 * like provider tokens (the sealed columns never leave this module), the accumulator's
 * resume state and the counters `status` shows. The readings themselves go to iot_readings
 * and the month's peak to meter_peaks, in the transaction of each batch (src/db/p1Batches.ts).
 */
import { open, seal, type EncryptionKey, type Keyring } from '../auth/vault.js';
import { NotFoundError } from '../domain/errors.js';
import type { AccumulatorState, P1Connection } from '../providers/p1/index.js';
import type { Queryable } from './types.js';

export type P1TransportKind = P1Connection['kind'];

export interface NewP1Meter {
  deviceId: string;
  connection: P1Connection;
  /** The identification line of the telegrams heard when linking. */
  header: string | null;
}

/** One P1 meter with its device and building, as the daemon and `status` read it. */
export interface P1MeterRow {
  device_id: string;
  building_id: string;
  building_name: string;
  prm: string;
  transport: P1TransportKind;
  url: string | null;
  topic: string | null;
  host: string | null;
  port: number | null;
  path: string | null;
  baud_rate: number | null;
  has_credentials: boolean;
  meter_header: string | null;
  resume_state: AccumulatorState | null;
  telegrams_accepted: number;
  telegrams_rejected: Record<string, number>;
  last_telegram_at: Date | null;
  last_arrival_at: Date | null;
  quiet_since: Date | null;
}

/** The AAD of a sealed P1 credential, binding it to its row and column. */
export function p1CredentialAad(deviceId: string, column: 'username' | 'password'): string {
  return `p1_meters:${deviceId}:${column}`;
}

const COLUMNS = `m.device_id, d.building_id, b.name AS building_name, d.prm, m.transport, m.url,
  m.topic, m.host, m.port, m.path, m.baud_rate,
  (m.username_encrypted IS NOT NULL OR m.password_encrypted IS NOT NULL) AS has_credentials,
  m.meter_header, m.resume_state, m.telegrams_accepted::float8 AS telegrams_accepted,
  m.telegrams_rejected, m.last_telegram_at, m.last_arrival_at, m.quiet_since`;

const FROM = `FROM p1_meters m JOIN linky_devices d ON d.id = m.device_id
  JOIN buildings b ON b.id = d.building_id`;

/** Stores how to reach a meter; username and password are sealed under `key`. */
export async function insertP1Meter(
  q: Queryable,
  m: NewP1Meter,
  key: EncryptionKey | null,
): Promise<void> {
  const c = m.connection;
  const creds = c.kind === 'mqtt' ? { username: c.username, password: c.password } : {};
  const sealIt = (v: string | undefined, column: 'username' | 'password') =>
    v === undefined || !key ? null : seal(v, key, p1CredentialAad(m.deviceId, column));
  const username = sealIt(creds.username, 'username');
  const password = sealIt(creds.password, 'password');
  await q.query(
    `INSERT INTO p1_meters (device_id, transport, url, topic, host, port, path, baud_rate,
                            username_encrypted, password_encrypted, credentials_key_id, meter_header)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      m.deviceId,
      c.kind,
      c.kind === 'mqtt' ? c.url : null,
      c.kind === 'mqtt' ? c.topic : null,
      c.kind === 'tcp' ? c.host : null,
      c.kind === 'tcp' ? c.port : null,
      c.kind === 'serial' ? c.path : null,
      c.kind === 'serial' ? (c.baudRate ?? null) : null,
      username,
      password,
      username || password ? (key as EncryptionKey).keyId : null,
      m.header,
    ],
  );
}

export async function listP1Meters(
  q: Queryable,
  filter: { buildingId?: string; activeOnly?: boolean } = {},
): Promise<P1MeterRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.buildingId) {
    params.push(filter.buildingId);
    where.push(`d.building_id = $${params.length}`);
  }
  if (filter.activeOnly) where.push(`d.status = 'active' AND d.sync_enabled`);
  const r = await q.query<P1MeterRow>(
    `SELECT ${COLUMNS} ${FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY lower(b.name), d.prm`,
    params,
  );
  return r.rows;
}

/** The connection of a stored meter, with its credentials opened by `keyring`. */
export async function loadP1Connection(
  q: Queryable,
  row: P1MeterRow,
  keyring: () => Keyring,
): Promise<P1Connection> {
  switch (row.transport) {
    case 'tcp':
      return { kind: 'tcp', host: row.host as string, port: row.port as number };
    case 'serial':
      return {
        kind: 'serial',
        path: row.path as string,
        ...(row.baud_rate ? { baudRate: row.baud_rate } : {}),
      };
    case 'mqtt': {
      const c: P1Connection = { kind: 'mqtt', url: row.url as string, topic: row.topic as string };
      if (!row.has_credentials) return c;
      const r = await q.query<{ u: string | null; p: string | null }>(
        'SELECT username_encrypted AS u, password_encrypted AS p FROM p1_meters WHERE device_id = $1',
        [row.device_id],
      );
      const sealed = r.rows[0];
      if (!sealed) throw new NotFoundError(`no P1 meter with device id ${row.device_id}`);
      const ring = keyring();
      if (sealed.u) c.username = open(sealed.u, ring, p1CredentialAad(row.device_id, 'username'));
      if (sealed.p) c.password = open(sealed.p, ring, p1CredentialAad(row.device_id, 'password'));
      return c;
    }
  }
}

/** Every sealed P1 credential, locked for a key rotation's transaction. */
export async function listSealedP1Credentials(
  q: Queryable,
): Promise<
  { device_id: string; username_encrypted: string | null; password_encrypted: string | null }[]
> {
  const r = await q.query<{
    device_id: string;
    username_encrypted: string | null;
    password_encrypted: string | null;
  }>(
    `SELECT device_id, username_encrypted, password_encrypted FROM p1_meters
      WHERE username_encrypted IS NOT NULL OR password_encrypted IS NOT NULL FOR UPDATE`,
  );
  return r.rows;
}

export async function storeResealedP1Credentials(
  q: Queryable,
  deviceId: string,
  sealed: { username: string | null; password: string | null },
  keyId: string,
): Promise<void> {
  await q.query(
    `UPDATE p1_meters SET username_encrypted = $2, password_encrypted = $3,
            credentials_key_id = $4, updated_at = now() WHERE device_id = $1`,
    [deviceId, sealed.username, sealed.password, keyId],
  );
}
