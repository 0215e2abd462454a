import { describe, expect, it } from 'vitest';
import { addDays, localDay, localDayStartUtc, localParts } from '../../../src/simulator/euTime.js';
import {
  intervalKwh,
  meterIntervals,
  meterPowerW,
  NIGHT_END_HOUR,
  type SimMeter,
} from '../../../src/simulator/loadModel.js';
import { createSimMeter, historyStartDay } from '../../../src/simulator/meters.js';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = 86_400_000;

function dayIntervals(meter: SimMeter, day: string) {
  return meterIntervals(meter, localDayStartUtc(day), localDayStartUtc(addDays(day, 1)));
}

function meanW(
  meter: SimMeter,
  fromDay: string,
  days: number,
  keep: (hour: number) => boolean,
): number {
  let sum = 0;
  let n = 0;
  for (let d = 0; d < days; d++) {
    for (const iv of dayIntervals(meter, addDays(fromDay, d))) {
      if (!keep(localParts(iv.startMs).hour)) continue;
      sum += meterPowerW(meter, iv.startMs, iv.stepMinutes);
      n++;
    }
  }
  return sum / n;
}

const clean = (m: SimMeter): SimMeter => ({ ...m, anomalies: [] });

describe('load model', () => {
  it('is deterministic for a seed and differs between meters', () => {
    const a = createSimMeter('enedis', 42, 0, NOW);
    const b = createSimMeter('enedis', 42, 0, NOW);
    const c = createSimMeter('enedis', 42, 1, NOW);
    expect(b).toEqual(a);
    const ivs = dayIntervals(a, '2026-11-10');
    const va = ivs.map((iv) => meterPowerW(a, iv.startMs, iv.stepMinutes));
    const vb = ivs.map((iv) => meterPowerW(b, iv.startMs, iv.stepMinutes));
    const vc = ivs.map((iv) => meterPowerW(c, iv.startMs, iv.stepMinutes));
    expect(vb).toEqual(va);
    expect(vc).not.toEqual(va);
    expect(va.every((w) => Number.isInteger(w) && w > 0)).toBe(true);
  });

  it('gives 46, 48 and 50 half-hours on the March, ordinary and October days', () => {
    const m = createSimMeter('enedis', 42, 0, NOW);
    expect(m.stepMinutes).toBe(30);
    expect(dayIntervals(m, '2026-03-29')).toHaveLength(46);
    expect(dayIntervals(m, '2026-06-15')).toHaveLength(48);
    expect(dayIntervals(m, '2025-10-26')).toHaveLength(50);
    const quarter = createSimMeter('enedis', 42, 4, NOW);
    expect(quarter.stepMinutes).toBe(15);
    expect(dayIntervals(quarter, '2026-03-29')).toHaveLength(92);
    expect(dayIntervals(quarter, '2026-10-25')).toHaveLength(100);
  });

  it('has the shape of a building: evening peak over night, winter over summer', () => {
    const m = clean(createSimMeter('enedis', 7, 0, NOW));
    const night = meanW(m, '2026-01-12', 5, (h) => h >= 2 && h < 5);
    const evening = meanW(m, '2026-01-12', 5, (h) => h >= 18 && h < 21);
    expect(evening).toBeGreaterThan(night * 1.8);
    const winter = meanW(m, '2026-01-12', 7, () => true);
    const summer = meanW(m, '2026-07-13', 7, () => true);
    expect(winter).toBeGreaterThan(summer * 1.2);
    // Weekend mornings are later: 07:00-08:00 is lower on Saturday than on weekdays.
    const weekdayMorning = meanW(m, '2026-03-09', 5, (h) => h === 7);
    const weekendMorning = meanW(m, '2026-03-14', 2, (h) => h === 7);
    expect(weekendMorning).toBeLessThan(weekdayMorning * 0.85);
  });

  it('serves energies that follow from the rounded power (whole Wh for ORES)', () => {
    const e = createSimMeter('enedis', 42, 0, NOW);
    const start = localDayStartUtc('2026-11-02');
    const w = meterPowerW(e, start, 30);
    expect(intervalKwh(e, start, 30)).toBeCloseTo((w * 30) / 60 / 1000, 12);
    const o = createSimMeter('ores', 42, 0, NOW);
    for (const iv of dayIntervals(o, '2026-11-02')) {
      const wh = (meterPowerW(o, iv.startMs, iv.stepMinutes) * iv.stepMinutes) / 60;
      expect(Number.isInteger(wh)).toBe(true);
    }
    expect(o.prm).toMatch(/^5414\d{14}$/);
    expect(e.prm).toMatch(/^\d{14}$/);
  });

  it('switches step where the meter changed it', () => {
    const m = createSimMeter('enedis', 42, 5, NOW);
    expect(m.stepChange).toBeDefined();
    const at = m.stepChange?.at.getTime() ?? 0;
    const before = dayIntervals(m, localDay(at - DAY));
    const after = dayIntervals(m, localDay(at));
    expect(before.every((iv) => iv.stepMinutes === 60)).toBe(true);
    expect(after.every((iv) => iv.stepMinutes === 30)).toBe(true);
  });
});

describe('injected anomalies', () => {
  const meters = Array.from({ length: 6 }, (_, rank) => createSimMeter('enedis', 42, rank, NOW));

  it('are a few per year, of every kind, inside the history and apart', () => {
    const historyStart = localDayStartUtc(historyStartDay(localDay(NOW)));
    for (const m of meters) {
      const from = Math.max(historyStart, m.activationDate.getTime());
      const years = (localDayStartUtc(localDay(NOW)) - from) / (365 * DAY);
      expect(m.anomalies.length).toBeGreaterThanOrEqual(3);
      expect(m.anomalies.length).toBeLessThanOrEqual(Math.ceil(years * 6) + 1);
      expect(new Set(m.anomalies.map((a) => a.kind))).toEqual(
        new Set(['evening_spike', 'night_baseload', 'stuck_heater']),
      );
      const spans = m.anomalies.map((a) => [Date.parse(a.start), Date.parse(a.end)] as const);
      for (const [s, e] of spans) {
        expect(s).toBeGreaterThanOrEqual(from + 28 * DAY);
        expect(e).toBeLessThan(NOW);
      }
      for (let i = 1; i < spans.length; i++) {
        expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      }
    }
  });

  it('show in the load: spikes multiply, stuck heaters add their power', () => {
    for (const m of meters) {
      for (const a of m.anomalies.filter((x) => x.kind !== 'night_baseload')) {
        const ivs = meterIntervals(m, Date.parse(a.start), Date.parse(a.end));
        expect(ivs.length).toBeGreaterThan(0);
        for (const iv of ivs) {
          const base = meterPowerW(clean(m), iv.startMs, iv.stepMinutes);
          const seen = meterPowerW(m, iv.startMs, iv.stepMinutes);
          if (a.kind === 'evening_spike') expect(seen / base).toBeCloseTo(a.factor, 1);
          else expect(seen - base).toBeCloseTo(a.addedW ?? 0, -1);
        }
      }
    }
  });

  it('night baseload doubles night values and leaves the days alone', () => {
    for (const m of meters) {
      const leak = m.anomalies.find((a) => a.kind === 'night_baseload');
      expect(leak?.factor).toBe(2);
      const ivs = meterIntervals(m, Date.parse(leak!.start), Date.parse(leak!.end));
      const nights = new Set<string>();
      for (const iv of ivs) {
        const base = meterPowerW(clean(m), iv.startMs, iv.stepMinutes);
        const seen = meterPowerW(m, iv.startMs, iv.stepMinutes);
        if (localParts(iv.startMs).hour < NIGHT_END_HOUR) {
          nights.add(localDay(iv.startMs));
          expect(Math.abs(seen - 2 * base)).toBeLessThanOrEqual(1);
        } else {
          expect(seen).toBe(base);
        }
      }
      expect(nights.size).toBeGreaterThanOrEqual(3);
      expect(nights.size).toBeLessThanOrEqual(7);
    }
  });
});
