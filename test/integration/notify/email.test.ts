import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverPending, enqueueNotifications, outboxStatus } from '../../../src/notify/outbox.js';
import {
  captureLog,
  mailBody,
  mailSubject,
  openTestDatabase,
  resetAlerts,
  sampleAnomaly,
  startSmtpSink,
  storeOne,
  targets,
  testBuilding,
  testConfig,
  type TestDatabase,
} from './helpers.js';

const PASSWORD = 'smtp-pass-Zq81';

describe.each(targets())('e-mail alerts over SMTP (%s database)', (target) => {
  let t: TestDatabase;
  let buildingId: string;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;

  beforeAll(async () => {
    t = await openTestDatabase(target);
    buildingId = await testBuilding(t.db);
    sink = await startSmtpSink();
  }, 60_000);
  afterAll(async () => {
    await sink?.close();
    await t?.close();
  });
  beforeEach(async () => {
    await resetAlerts(t.db);
    sink.mails.length = 0;
  });

  const config = (language?: 'fr' | 'en') =>
    testConfig({
      ...(language ? { alerts: { language } } : {}),
      notifications: {
        channels: {
          syndic: {
            type: 'email',
            host: '127.0.0.1',
            port: sink.port,
            secure: false,
            user: 'alerts@koprogo.test',
            passwordEnv: 'SMTP_PASSWORD',
            from: 'alerts@koprogo.test',
            to: ['syndic@example.test', 'conseil@example.test'],
          },
        },
      },
    });

  it('mails the French alert to every recipient, logging in with the password from the environment', async () => {
    const a = await storeOne(t.db, sampleAnomaly(buildingId));
    await t.db.transaction((tx) => enqueueNotifications(tx, a, ['syndic'], 'fr'));
    const cap = captureLog();
    const r = await deliverPending(t.db, config(), {
      log: cap.log,
      deps: { env: { SMTP_PASSWORD: PASSWORD } },
    });
    expect(r).toMatchObject({ sent: 1, retrying: 0 });

    expect(sink.mails).toHaveLength(1);
    const mail = sink.mails[0]!;
    expect(mail.from).toBe('alerts@koprogo.test');
    expect(mail.to).toEqual(['syndic@example.test', 'conseil@example.test']);
    expect(mail.auth).toEqual({ user: 'alerts@koprogo.test', pass: PASSWORD });
    const { headers, text } = mailBody(mail.data);
    expect(mailSubject(headers)).toBe(
      '[KoproGo] Anomalie critique : surconsommation — Résidence Les Tilleuls (compteur 12345678901234)',
    );
    expect(headers).toMatch(new RegExp(`^X-KoproGo-Anomaly-Id: ${a.id}`, 'im'));
    expect(text).toContain(
      'Consommation 500% supérieure au profil habituel de cette plage horaire (19/02/2025 10:00–12:00)',
    );
    expect(text).toContain('Immeuble : Résidence Les Tilleuls');
    expect(text).toContain('Période : 19/02/2025 10:00 – 19/02/2025 12:00 (Europe/Brussels)');
    expect(text).toContain('Sévérité : critique');
    expect(text).toContain(`koprogo-iot anomalies ack ${a.id.slice(0, 8)}`);
    expect(cap.text()).not.toContain(PASSWORD);
  });

  it('writes English when configured', async () => {
    const a = await storeOne(
      t.db,
      sampleAnomaly(buildingId, {
        severity: 'major',
        message:
          'Consumption 80% above the usual profile for this time of day (19/02/2025 10:00–12:00)',
      }),
    );
    const cfg = config('en');
    await t.db.transaction((tx) => enqueueNotifications(tx, a, ['syndic'], cfg.alerts.language));
    await deliverPending(t.db, cfg, {
      log: captureLog().log,
      deps: { env: { SMTP_PASSWORD: PASSWORD } },
    });
    const { text } = mailBody(sink.mails[0]!.data);
    expect(text).toMatch(/^Consumption 80% above the usual profile/);
    expect(text).toContain('Building: Résidence Les Tilleuls');
    expect(text).toContain('Severity: major');
  });

  it('keeps the alert queued, naming the missing variable, when the password is not set', async () => {
    const a = await storeOne(t.db, sampleAnomaly(buildingId));
    await t.db.transaction((tx) => enqueueNotifications(tx, a, ['syndic'], 'fr'));
    const r = await deliverPending(t.db, config(), { log: captureLog().log, deps: { env: {} } });
    expect(r.retrying).toBe(1);
    expect(sink.mails).toHaveLength(0);
    const status = await outboxStatus(t.db);
    expect(status.pending).toBe(1);
    expect(status.problems[0]?.lastError).toMatch(/SMTP_PASSWORD/);
  });

  it('records a refused connection as a delivery error', async () => {
    const a = await storeOne(t.db, sampleAnomaly(buildingId));
    await t.db.transaction((tx) => enqueueNotifications(tx, a, ['syndic'], 'fr'));
    const closed = await startSmtpSink();
    await closed.close(); // a port where nothing listens any more
    const cfg = config();
    const channel = cfg.notifications.channels.syndic;
    if (channel?.type !== 'email') throw new Error('email channel expected');
    channel.port = closed.port;
    const r = await deliverPending(t.db, cfg, {
      log: captureLog().log,
      deps: { env: { SMTP_PASSWORD: PASSWORD } },
    });
    expect(r.retrying).toBe(1);
    const err = (await outboxStatus(t.db)).problems[0]?.lastError ?? '';
    expect(err).toMatch(/^email syndic \(127\.0\.0\.1:\d+\): .*ECONNREFUSED/);
    expect(err).not.toContain(PASSWORD);
  });
});
