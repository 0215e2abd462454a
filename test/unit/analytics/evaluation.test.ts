import { describe, expect, it } from 'vitest';
import { evaluateDetections } from '../../../src/analytics/evaluation.js';

const span = (kind: 'spike' | 'night_baseload', from: string, to: string) => ({
  kind,
  start: new Date(from),
  end: new Date(to),
});

describe('evaluateDetections', () => {
  const truths = [
    span('spike', '2025-01-10T10:00:00Z', '2025-01-10T12:00:00Z'),
    span('night_baseload', '2025-01-12T00:00:00Z', '2025-01-14T04:00:00Z'),
  ];

  it('scores overlapping events as hits and the rest as false alarms', () => {
    const events = [
      span('spike', '2025-01-10T11:30:00Z', '2025-01-10T13:00:00Z'), // overlaps truth 1
      span('spike', '2025-01-11T18:00:00Z', '2025-01-11T19:00:00Z'), // false alarm
    ];
    const r = evaluateDetections(events, truths);
    expect(r).toMatchObject({ matchedEvents: 1, recalledTruths: 1, precision: 0.5, recall: 0.5 });
    expect(r.f1).toBeCloseTo(0.5, 9);
  });

  it('does not count intervals that only touch', () => {
    const events = [span('spike', '2025-01-10T12:00:00Z', '2025-01-10T13:00:00Z')];
    expect(evaluateDetections(events, truths).matchedEvents).toBe(0);
  });

  it('can require the same kind', () => {
    const events = [span('spike', '2025-01-12T01:00:00Z', '2025-01-12T02:00:00Z')];
    expect(evaluateDetections(events, truths).recall).toBe(0.5);
    expect(evaluateDetections(events, truths, { sameKind: true }).recall).toBe(0);
  });

  it('matches a fault active only at night by its nights, not by the days between', () => {
    const nights = {
      kind: 'night_baseload',
      start: new Date('2025-01-12T00:00:00Z'),
      end: new Date('2025-01-14T06:00:00Z'),
      parts: [
        { start: new Date('2025-01-12T00:00:00Z'), end: new Date('2025-01-12T06:00:00Z') },
        { start: new Date('2025-01-13T00:00:00Z'), end: new Date('2025-01-13T06:00:00Z') },
        { start: new Date('2025-01-14T00:00:00Z'), end: new Date('2025-01-14T06:00:00Z') },
      ],
    };
    const evening = span('spike', '2025-01-12T18:00:00Z', '2025-01-12T20:00:00Z');
    const night = span('spike', '2025-01-13T02:00:00Z', '2025-01-13T03:00:00Z');
    expect(evaluateDetections([evening], [nights])).toMatchObject({ falseAlarms: 1, recall: 0 });
    expect(evaluateDetections([night], [nights])).toMatchObject({ falseAlarms: 0, recall: 1 });
  });

  it('applies a rule saying which detected kinds may match which faults', () => {
    const events = [span('night_baseload', '2025-01-10T10:30:00Z', '2025-01-10T11:00:00Z')];
    const onlyNights = (e: string | undefined, t: string | undefined) =>
      e !== 'night_baseload' || t === 'night_baseload';
    expect(evaluateDetections(events, truths).recalledTruths).toBe(1);
    expect(evaluateDetections(events, truths, { accepts: onlyNights })).toMatchObject({
      recalledTruths: 0,
      falseAlarms: 1,
    });
  });

  it('handles empty sides', () => {
    expect(evaluateDetections([], truths)).toMatchObject({ precision: 1, recall: 0, f1: 0 });
    expect(evaluateDetections([], [])).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });
});
