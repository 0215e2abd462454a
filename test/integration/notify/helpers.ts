/**
 * Shared pieces of the alert tests: a database per test file (the embedded one always,
 * a PostgreSQL server too when TEST_DATABASE_URL is set, each file in a fresh database),
 * a webhook receiver and an SMTP sink on 127.0.0.1, a capturing logger, a config.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { resolveConfig, type Config } from '../../../src/config.js';
import { addBuilding } from '../../../src/db/buildings.js';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { migrate } from '../../../src/db/migrate.js';
import { openServerDatabase } from '../../../src/db/server.js';
import type { Database } from '../../../src/db/types.js';
import { storeAnomalies, type NewAnomaly } from '../../../src/db/anomalies.js';
import { createLogger, type Logger } from '../../../src/ui/logger.js';

export type Target = 'embedded' | 'server';

/** The databases to run against: always the embedded one, the server when configured. */
export function targets(): Target[] {
  return process.env.TEST_DATABASE_URL ? ['embedded', 'server'] : ['embedded'];
}

export interface TestDatabase {
  db: Database;
  /** Opens one more connection to the same data (a second process). Server only. */
  reopen(): Promise<Database>;
  close(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A migrated database of its own: in memory, or a fresh `kpt_<random>` on the server. */
export async function openTestDatabase(target: Target): Promise<TestDatabase> {
  if (target === 'embedded') {
    const db = await openEmbeddedDatabase(null);
    await migrate(db);
    return {
      db,
      reopen: () => Promise.reject(new Error('the in-memory database has one connection')),
      close: () => db.close(),
    };
  }
  const base = process.env.TEST_DATABASE_URL as string;
  const name = `kpt_${randomBytes(6).toString('hex')}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const url = withDatabase(base, name);
  const opened: Database[] = [];
  const open = async () => {
    const d = await openServerDatabase(url);
    opened.push(d);
    return d;
  };
  const db = await open();
  await migrate(db);
  return {
    db,
    reopen: open,
    async close() {
      for (const d of opened) await d.close().catch(() => {});
      await admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** A clean outbox and anomaly table between tests that share one database. */
export async function resetAlerts(db: Database): Promise<void> {
  await db.query('DELETE FROM notifications');
  await db.query('DELETE FROM anomalies');
}

export async function testBuilding(db: Database, name = 'Résidence Les Tilleuls'): Promise<string> {
  const existing = await db.query<{ id: string }>('SELECT id FROM buildings WHERE name = $1', [
    name,
  ]);
  if (existing.rows[0]) return existing.rows[0].id;
  return (await addBuilding(db, name, 'Europe/Brussels')).id;
}

export const PRM = '12345678901234';

/** A spike as the profile detector reports it (19/02/2025 10:00–12:00 Brussels). */
export function sampleAnomaly(buildingId: string, overrides: Partial<NewAnomaly> = {}): NewAnomaly {
  return {
    buildingId,
    deviceRef: PRM,
    metricType: 'electricity_consumption',
    kind: 'spike',
    method: 'profile',
    start: new Date('2025-02-19T09:00:00Z'),
    end: new Date('2025-02-19T11:00:00Z'),
    value: 1.2,
    baseline: 0.2,
    variancePercent: 500,
    severity: 'critical',
    message:
      'Consommation 500% supérieure au profil habituel de cette plage horaire (19/02/2025 10:00–12:00)',
    ...overrides,
  };
}

/** Stores one anomaly and returns it (the first of a fresh store). */
export async function storeOne(db: Database, a: NewAnomaly) {
  const [stored] = await db.transaction((tx) => storeAnomalies(tx, [a]));
  if (!stored) throw new Error('anomaly already stored');
  return stored;
}

export function testConfig(raw: Record<string, unknown> = {}): Config {
  return resolveConfig(raw, {}, {}, null);
}

export interface CapturedLog {
  log: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
}

export function captureLog(): CapturedLog {
  const out: string[] = [];
  const log = createLogger({
    stream: { write: (s: string) => out.push(s) },
    json: true,
    level: 'debug',
    color: false,
  });
  return {
    log,
    lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => out.join(''),
  };
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver; `answer` decides each response's status (default 200). */
export async function startReceiver(answer: (n: number) => number = () => 200) {
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = answer(received.length);
      res.end(res.statusCode < 300 ? 'ok' : 'receiver unavailable');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/koprogo`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
  /** user and password from AUTH PLAIN, when the client logged in. */
  auth: { user: string; pass: string } | null;
}

/**
 * A minimal SMTP server: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT. Enough for a client
 * to deliver one message per session; it keeps what it received.
 */
export async function startSmtpSink() {
  const mails: ReceivedMail[] = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let mail: ReceivedMail = { from: '', to: [], data: '', auth: null };
    let auth: ReceivedMail['auth'] = null;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink.test ESMTP ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let guard = 0; guard < 10_000; guard++) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push({ ...mail, auth });
          mail = { from: '', to: [], data: '', auth: null };
          reply('250 2.0.0 queued');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.split(' ')[0]?.toUpperCase() ?? '';
        if (verb === 'EHLO' || verb === 'HELO') {
          reply('250-sink.test');
          reply('250-AUTH PLAIN');
          reply('250 8BITMIME');
        } else if (verb === 'AUTH') {
          const b64 = line.split(' ')[2] ?? '';
          const [, user = '', pass = ''] = Buffer.from(b64, 'base64')
            .toString('utf8')
            .split('\u0000');
          auth = { user, pass };
          reply('235 2.7.0 authenticated');
        } else if (verb === 'MAIL') {
          mail.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          reply('250 2.1.0 ok');
        } else if (verb === 'RCPT') {
          mail.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          reply('250 2.1.5 ok');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'QUIT') {
          reply('221 2.0.0 bye');
          socket.end();
        } else if (verb === 'RSET' || verb === 'NOOP') {
          reply('250 ok');
        } else {
          reply('502 5.5.2 not implemented');
        }
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Decodes a quoted-printable body (soft breaks and =XX bytes) as UTF-8. */
export function decodeQuotedPrintable(s: string): string {
  const joined = s.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i] as string;
    const hex = joined.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The body of a single-part message, decoded. */
export function mailBody(data: string): { headers: string; text: string } {
  const split = data.indexOf('\r\n\r\n');
  const headers = data.slice(0, split);
  const raw = data.slice(split + 4);
  const text = /content-transfer-encoding:\s*quoted-printable/i.test(headers)
    ? decodeQuotedPrintable(raw)
    : /content-transfer-encoding:\s*base64/i.test(headers)
      ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8')
      : raw;
  return { headers, text };
}

/** The Subject header, unfolded and decoded from RFC 2047 words (Q or B). */
export function mailSubject(headers: string): string {
  const raw = /^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(headers)?.[1] ?? '';
  return raw
    .replace(/\?=\r\n[ \t]+=\?/g, '?==?')
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
