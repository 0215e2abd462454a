import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AlertRule } from '../../../src/config.js';
import { listAnomalies } from '../../../src/db/anomalies.js';
import { upsertReadings } from '../../../src/db/readings.js';
import { checkAnomalies } from '../../../src/notify/checkAnomalies.js';
import { channelsFor, ruleMatches, type AlertSubject } from '../../../src/notify/rules.js';
import { ZONE, at, series } from '../../unit/analytics/synthetic.js';
import {
  PRM,
  captureLog,
  openTestDatabase,
  resetAlerts,
  targets,
  testBuilding,
  testConfig,
  type TestDatabase,
} from './helpers.js';

/**
 * Eight weeks: a 2 kW load on 19 February 10:00–12:00, and 200 W more day and night from
 * 24 February to the end: a lasting level shift, reported as such.
 */
const readings = series({
  firstDay: '2025-01-06',
  days: 56,
  extra: (l) => {
    const day = l.toISODate() as string;
    let w = 0;
    if (day === '2025-02-19' && l.hour >= 10 && l.hour < 12) w += 2000;
    if (day >= '2025-02-24') w += 200;
    return w;
  },
});
const NOW = at('2025-03-03T00:00');

const rules: AlertRule[] = [
  {
    metric_type: 'electricity_consumption',
    condition: 'above_baseline',
    threshold_type: 'percent',
    threshold_percent: 150,
    severity: 'major',
    channels: ['log', 'ops'],
  },
  {
    metric_type: 'electricity_consumption',
    condition: 'above_baseline',
    threshold_type: 'percent',
    threshold_percent: 300,
    severity: 'critical',
    channels: ['pager', 'ops'],
  },
  {
    metric_type: 'electricity_consumption',
    condition: 'night_baseload',
    threshold_type: 'percent',
    threshold_percent: 150,
    severity: 'minor',
    channels: ['pager'],
  },
  {
    metric_type: 'electricity_consumption',
    condition: 'level_shift',
    threshold_type: 'percent',
    threshold_percent: 130,
    severity: 'minor',
    channels: ['ops'],
  },
];

const config = (language: 'fr' | 'en' = 'fr') =>
  testConfig({
    alerts: { language, rules },
    notifications: {
      channels: {
        ops: { type: 'webhook', url: 'http://127.0.0.1:9/ops' },
        pager: { type: 'webhook', url: 'http://127.0.0.1:9/pager' },
      },
    },
  });

describe.each(targets())('checkAnomalies after a sync (%s database)', (target) => {
  let t: TestDatabase;
  let buildingId: string;

  beforeAll(async () => {
    t = await openTestDatabase(target);
    buildingId = await testBuilding(t.db);
    await upsertReadings(
      t.db,
      readings.map((r) => ({
        buildingId,
        deviceRef: PRM,
        deviceType: 'electricity_meter',
        metricType: 'electricity_consumption',
        timestamp: r.timestamp,
        intervalSeconds: r.intervalSeconds,
        value: r.value,
        unit: 'kWh',
        source: 'test',
      })),
    );
  }, 60_000);
  afterAll(async () => t?.close());
  beforeEach(async () => resetAlerts(t.db));

  const opts = () => ({
    buildingId,
    timeZone: ZONE,
    deviceRef: PRM,
    metricType: 'electricity_consumption' as const,
    days: 14,
    now: NOW,
  });

  it('stores the spike and the level shift and queues the channels their rules name', async () => {
    const cap = captureLog();
    const r = await checkAnomalies(t.db, config(), { ...opts(), log: cap.log });
    expect(r.detected).toBe(2);
    expect(r.stored).toBe(2);
    expect(r.anomalies.map((a) => a.kind).sort()).toEqual(['level_shift', 'spike']);

    const queued = await t.db.query<{ channel: string; kind: string }>(
      `SELECT n.channel, a.kind FROM notifications n JOIN anomalies a ON a.id = n.anomaly_id
        ORDER BY a.kind, n.channel`,
    );
    expect(queued.rows).toEqual([
      { channel: 'ops', kind: 'level_shift' },
      { channel: 'log', kind: 'spike' },
      { channel: 'ops', kind: 'spike' },
      { channel: 'pager', kind: 'spike' },
    ]);
    expect(r.queued).toBe(4);

    const stored = await listAnomalies(t.db, { buildingId });
    const spike = stored.find((a) => a.kind === 'spike');
    expect(spike?.start).toEqual(at('2025-02-19T10:00'));
    expect(spike?.method).toBe('profile');
    expect(spike?.message).toMatch(/^Consommation \d+% supérieure au profil habituel/);
    expect(cap.text()).toContain('new anomalies stored');
  });

  it('stores and queues nothing when run again over the same data', async () => {
    await checkAnomalies(t.db, config(), opts());
    const again = await checkAnomalies(t.db, config(), opts());
    expect(again).toMatchObject({ detected: 2, stored: 0, queued: 0, anomalies: [] });
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM notifications');
    expect(Number(n.rows[0]?.n)).toBe(4);
  });

  it('writes the messages in English when configured, and keeps methods apart', async () => {
    const r = await checkAnomalies(t.db, config('en'), { ...opts(), days: 7 });
    expect(r.anomalies.map((a) => a.kind)).toEqual(['level_shift']);
    expect(r.anomalies[0]?.message).toMatch(
      /^Lasting rise of the load by about \d+ W since 24\/02\/2025/,
    );
    expect(r.anomalies[0]?.sizeWatts).toBeGreaterThan(150);
    expect(r.anomalies[0]?.sizeWatts).toBeLessThan(250);
    expect(r.stored).toBe(1);

    // The seed's moving average flags every evening peak: stored under its own method.
    const ma = await checkAnomalies(t.db, config(), { ...opts(), method: 'moving-average' });
    expect(ma.stored).toBeGreaterThan(5);
    expect(ma.anomalies.every((a) => a.method === 'moving-average')).toBe(true);
    expect(await listAnomalies(t.db, { buildingId, method: 'profile' })).toHaveLength(1);
  });

  it('finds nothing for a meter without readings', async () => {
    const r = await checkAnomalies(t.db, config(), { ...opts(), deviceRef: '99999999999999' });
    expect(r).toEqual({ detected: 0, stored: 0, queued: 0, anomalies: [] });
  });
});

describe('alert rules', () => {
  const spike: AlertSubject = {
    metricType: 'electricity_consumption',
    kind: 'spike',
    value: 0.35,
    baseline: 0.2,
    variancePercent: 75,
    severity: 'major',
  };

  it('match on metric, condition, threshold and minimum severity', () => {
    const [major150, critical300, night, shift] = rules as [
      AlertRule,
      AlertRule,
      AlertRule,
      AlertRule,
    ];
    expect(ruleMatches(major150, spike)).toBe(true);
    expect(ruleMatches(major150, { ...spike, value: 0.29, severity: 'minor' })).toBe(false);
    expect(ruleMatches(major150, { ...spike, severity: 'minor' })).toBe(false);
    expect(ruleMatches(major150, { ...spike, metricType: 'water_consumption' })).toBe(false);
    expect(ruleMatches(critical300, spike)).toBe(false);
    expect(ruleMatches(critical300, { ...spike, value: 0.7, severity: 'critical' })).toBe(true);
    expect(ruleMatches(night, spike)).toBe(false);
    expect(ruleMatches(night, { ...spike, kind: 'night_baseload' })).toBe(true);
    expect(ruleMatches(shift, spike)).toBe(false);
    expect(ruleMatches(shift, { ...spike, kind: 'level_shift', severity: 'minor' })).toBe(true);
  });

  it('gives each channel once, in the order the rules name them', () => {
    expect(channelsFor(rules, { ...spike, value: 0.7, severity: 'critical' })).toEqual([
      'log',
      'ops',
      'pager',
    ]);
    expect(channelsFor(rules, { ...spike, value: 0.21, severity: 'minor' })).toEqual([]);
  });
});
