import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import {
  buildAnomalyReport,
  detectAnomalies,
  severityFor,
} from '../../../src/analytics/anomalies.js';
import type { Anomaly, IntervalValue } from '../../../src/analytics/anomalyTypes.js';
import { UsageError } from '../../../src/domain/errors.js';
import { ZONE, at, series } from './synthetic.js';

// Eight weeks of history and analysis over the last two.
const FIRST = '2025-01-06';
const DAYS = 56;
const FROM = at('2025-02-17T00:00');
const TO = at('2025-03-03T00:00');

const local = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE });
const spikes = (list: Anomaly[]) => list.filter((a) => a.kind === 'spike');

/** A 2 kW load on Wednesday 19 February 10:00–12:00, and the night load doubled from 24 February on. */
const faulty = series({
  firstDay: FIRST,
  days: DAYS,
  extra: (l) => {
    const day = l.toISODate() as string;
    let w = 0;
    if (day === '2025-02-19' && l.hour >= 10 && l.hour < 12) w += 2000;
    if (day >= '2025-02-24' && l.hour < 6) w += 200;
    return w;
  },
});

describe('profile detector (default)', () => {
  const normal = series({ firstDay: FIRST, days: DAYS });

  it('does not flag the ordinary evening peak, which the moving average flags every day', () => {
    expect(detectAnomalies(normal, { from: FROM, to: TO, zone: ZONE })).toEqual([]);

    const ma = detectAnomalies(normal, {
      from: FROM,
      to: TO,
      zone: ZONE,
      method: 'moving-average',
    });
    const eveningDays = new Set(
      ma
        .filter((a) => local(a.start).hour >= 17 && local(a.start).hour < 22)
        .map((a) => local(a.start).toISODate()),
    );
    expect(eveningDays.size).toBe(14);
  });

  it('flags a spike as one event with its local start and end', () => {
    const found = spikes(detectAnomalies(faulty, { from: FROM, to: TO, zone: ZONE }));
    expect(found).toHaveLength(1);
    const spike = found[0]!;
    expect(spike.start).toEqual(at('2025-02-19T10:00'));
    expect(spike.end).toEqual(at('2025-02-19T12:00'));
    expect(spike.timestamp).toEqual(spike.start);
    expect(spike.severity).toBe('critical');
    expect(spike.value).toBeGreaterThan(1); // ~2.35 kW over half an hour
    expect(spike.baseline).toBeCloseTo(0.175, 1); // ~350 W over half an hour
    expect(spike.message).toMatch(
      /^Consommation \d+% supérieure au profil habituel .*19\/02\/2025 10:00–12:00/,
    );
    expect(spike.key).toBe(`spike:${spike.start.toISOString()}`);
  });

  it('flags a doubled night baseload as its own event, not as nightly spikes', () => {
    const found = detectAnomalies(faulty, { from: FROM, to: TO, zone: ZONE });
    const night = found.filter((a) => a.kind === 'night_baseload');
    expect(night).toHaveLength(1);
    expect(night[0]!.start).toEqual(at('2025-02-24T01:00'));
    expect(night[0]!.end).toEqual(at('2025-03-02T05:00'));
    expect(night[0]!.variancePercent).toBeGreaterThan(80);
    expect(night[0]!.message).toMatch(/Talon de consommation nocturne .* 7 nuits consécutives/);
    expect(spikes(found).every((a) => a.start < at('2025-02-24T00:00'))).toBe(true);
  });

  it('while the moving average misses the doubled night entirely', () => {
    const ma = detectAnomalies(faulty, {
      from: FROM,
      to: TO,
      zone: ZONE,
      method: 'moving-average',
    });
    const atNight = ma.filter((a) => a.start >= at('2025-02-24T00:00') && local(a.start).hour < 5);
    expect(atNight).toEqual([]);
  });

  it('needs the rise to last: a single half-hour does not fire', () => {
    const blip = series({
      firstDay: FIRST,
      days: DAYS,
      extra: (l) => (l.toISODate() === '2025-02-19' && l.hour === 10 && l.minute === 0 ? 3000 : 0),
    });
    expect(detectAnomalies(blip, { from: FROM, to: TO, zone: ZONE })).toEqual([]);
  });

  it('ignores rises below the absolute floor on a tiny night load', () => {
    // 10 W at night becoming 25 W: +150 %, but 15 W is noise.
    const tiny = series({
      firstDay: FIRST,
      days: DAYS,
      scale: 0.05,
      extra: (l) => ((l.toISODate() as string) >= '2025-02-24' && l.hour < 6 ? 15 : 0),
    });
    expect(detectAnomalies(tiny, { from: FROM, to: TO, zone: ZONE })).toEqual([]);
    const noFloor = detectAnomalies(tiny, { from: FROM, to: TO, zone: ZONE, minExcessWatts: 0 });
    expect(noFloor.length).toBeGreaterThan(0);
  });

  it('keeps working when history has missing and partial days', () => {
    const missing = new Set([
      '2025-02-03',
      '2025-02-04',
      '2025-02-05',
      '2025-02-10',
      '2025-02-11',
      '2025-02-12',
    ]);
    const gappy = faulty.filter((r) => {
      const l = local(r.timestamp);
      const day = l.toISODate() as string;
      if (missing.has(day)) return false;
      // A partial day: the meter stopped reporting at 08:00.
      if (day === '2025-02-13' && l.hour >= 8) return false;
      return true;
    });
    const found = detectAnomalies(gappy, { from: FROM, to: TO, zone: ZONE });
    expect(found.map((a) => [a.kind, a.start])).toEqual([
      ['spike', at('2025-02-19T10:00')],
      ['night_baseload', at('2025-02-24T01:00')],
    ]);
  });

  it('reports a fault recurring every weekday through its first week, then takes it as the new normal', () => {
    // The same 2 kW load every weekday morning for three weeks.
    const recurring = series({
      firstDay: FIRST,
      days: DAYS,
      extra: (l) =>
        (l.toISODate() as string) >= '2025-02-10' && l.weekday <= 5 && l.hour >= 10 && l.hour < 12
          ? 2000
          : 0,
    });
    const from = at('2025-02-10T00:00');
    const found = detectAnomalies(recurring, { from, to: TO, zone: ZONE });
    // Reported on every weekday of its first week at least; three weeks on, it is the normal.
    expect(found.length).toBeGreaterThanOrEqual(5);
    expect(found.length).toBeLessThan(15);
    expect(found.every((a) => local(a.start).hour === 10)).toBe(true);
    expect(found[0]!.start).toEqual(at('2025-02-10T10:00'));
  });

  it('handles the October change without false alarms', () => {
    const autumn = series({ firstDay: '2025-09-08', days: 56 });
    const days = new Set(autumn.map((r) => local(r.timestamp).toISODate()));
    expect(autumn.filter((r) => local(r.timestamp).toISODate() === '2025-10-26')).toHaveLength(50);
    expect(days.size).toBe(56);
    expect(
      detectAnomalies(autumn, {
        from: at('2025-10-20T00:00'),
        to: at('2025-11-03T00:00'),
        zone: ZONE,
      }),
    ).toEqual([]);
  });

  it('gives the same keys on a re-run and from an earlier start', () => {
    const a = detectAnomalies(faulty, { from: FROM, to: TO, zone: ZONE });
    const b = detectAnomalies(faulty, { from: FROM, to: TO, zone: ZONE });
    const c = detectAnomalies(faulty, { from: at('2025-02-10T00:00'), to: TO, zone: ZONE });
    expect(a.map((x) => x.key)).toEqual(b.map((x) => x.key));
    expect(c.map((x) => x.key)).toEqual(a.map((x) => x.key));
    expect(new Set(a.map((x) => x.key)).size).toBe(a.length);
  });

  it('writes English messages on request', () => {
    const found = detectAnomalies(faulty, { from: FROM, to: TO, zone: ZONE, language: 'en' });
    expect(found[0]!.message).toMatch(/^Consumption \d+% above the usual profile/);
    expect(found[1]!.message).toMatch(/^Night baseload \d+% above previous weeks/);
  });

  it('rejects a threshold that is not above 100 %', () => {
    expect(() => detectAnomalies(faulty, { from: FROM, to: TO, thresholdPercent: 20 })).toThrow(
      UsageError,
    );
    expect(() => detectAnomalies(faulty, { from: TO, to: FROM })).toThrow(UsageError);
  });
});

describe('severities (seed: Minor 120–150 %, Major 150–200 %, Critical > 200 %)', () => {
  it('classifies by value / baseline', () => {
    expect(severityFor(120.01)).toBe('minor');
    expect(severityFor(149.99)).toBe('minor');
    expect(severityFor(150)).toBe('major');
    expect(severityFor(200)).toBe('major');
    expect(severityFor(200.01)).toBe('critical');
  });

  it('applies the threshold and the bounds in the moving-average detector', () => {
    // A week of flat 1 kWh half-hours, then one test interval.
    const start = Date.UTC(2025, 0, 6);
    const week: IntervalValue[] = Array.from({ length: 7 * 48 }, (_, i) => ({
      timestamp: new Date(start + i * 1800_000),
      intervalSeconds: 1800,
      value: 1,
    }));
    const at7d = new Date(start + 7 * 48 * 1800_000);
    const classify = (value: number) => {
      const found = detectAnomalies([...week, { timestamp: at7d, intervalSeconds: 1800, value }], {
        from: at7d,
        to: new Date(at7d.getTime() + 1800_000),
        method: 'moving-average',
      });
      return found[0]?.severity ?? 'none';
    };
    expect(classify(1.2)).toBe('none');
    expect(classify(1.21)).toBe('minor');
    expect(classify(1.5)).toBe('major');
    expect(classify(2)).toBe('major');
    expect(classify(2.01)).toBe('critical');
  });
});

describe('buildAnomalyReport', () => {
  it('uses the seed names: avg_7d for the moving average, baseline for the profile', () => {
    const ma = detectAnomalies(faulty, {
      from: FROM,
      to: TO,
      zone: ZONE,
      method: 'moving-average',
    });
    const maReport = buildAnomalyReport(ma, faulty, {
      from: FROM,
      to: TO,
      method: 'moving-average',
    });
    expect(maReport.total_anomalies).toBe(ma.length);
    expect(maReport.anomalies[0]).toHaveProperty('avg_7d');
    expect(maReport.anomalies[0]).not.toHaveProperty('baseline');

    const profile = detectAnomalies(faulty, { from: FROM, to: TO, zone: ZONE });
    const report = buildAnomalyReport(profile, faulty, { from: FROM, to: TO });
    expect(report.anomalies[0]).toMatchObject({
      kind: 'spike',
      timestamp: '2025-02-19T09:00:00.000Z',
      end: '2025-02-19T11:00:00.000Z',
      severity: 'critical',
    });
    expect(report.anomalies[0]).toHaveProperty('baseline');
    expect(report.analysis_period).toEqual({ start: FROM.toISOString(), end: TO.toISOString() });

    const inRange = faulty.filter((r) => r.timestamp >= FROM && r.timestamp < TO);
    const avg = inRange.reduce((s, r) => s + r.value, 0) / inRange.length;
    expect(report.avg_consumption).toBeCloseTo(avg, 5);
    expect(report.threshold).toBeCloseTo(avg * 1.2, 5);
  });
});
