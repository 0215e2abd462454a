import { describe, expect, it } from 'vitest';
import { emptyTelegram } from '../../../src/providers/p1/obisLines.js';
import { localDate } from '../../../src/providers/p1/p1Time.js';
import {
  createQuarterHourAccumulator,
  type AccumulatorOutput,
  type P1Reading,
} from '../../../src/providers/p1/quarterHours.js';
import type { P1Telegram } from '../../../src/providers/p1/types.js';
import { createPrng } from '../../../src/simulator/prng.js';

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function telegramAt(
  at: number,
  importKwh: number,
  exportKwh = 0,
  gas?: { at: number; m3: number },
): P1Telegram {
  const t = emptyTelegram('FLU5\\253769484_A', 'BE');
  t.timestamp = at;
  // Day and night registers: the split must not matter to the quarter-hours.
  t.importT1Kwh = round3(importKwh * 0.6);
  t.importT2Kwh = round3(importKwh - round3(importKwh * 0.6));
  t.exportT1Kwh = round3(exportKwh);
  t.exportT2Kwh = 0;
  if (gas) {
    t.mbus.push({
      channel: 1,
      deviceType: 3,
      kind: 'gas',
      equipmentId: null,
      reading: { at: gas.at, value: gas.m3, unit: 'm3' },
    });
  }
  return t;
}

interface Stream {
  telegrams: P1Telegram[];
}

/** Telegrams every `stepS` seconds with a random load (PV export in daytime), registers in Wh. */
function stream(fromIso: string, hours: number, stepS: number, seed: number): Stream {
  const prng = createPrng(seed);
  const from = Date.parse(fromIso);
  let imp = 1234.5;
  let exp = 10;
  const telegrams: P1Telegram[] = [];
  for (let at = from; at <= from + hours * 3_600_000; at += stepS * 1000) {
    const hour = new Date(at).getUTCHours();
    imp += (prng.next() * 4 * stepS) / 3600;
    if (hour >= 9 && hour < 15) exp += (prng.next() * 3 * stepS) / 3600;
    telegrams.push(telegramAt(at, imp, exp));
  }
  return { telegrams };
}

function runAll(ts: P1Telegram[], arrival?: (t: P1Telegram) => number): AccumulatorOutput {
  const acc = createQuarterHourAccumulator();
  const out: AccumulatorOutput = { readings: [], peaks: [], events: [] };
  for (const t of ts) {
    const o = acc.push(t, arrival ? arrival(t) : (t.timestamp as number));
    out.readings.push(...o.readings);
    out.events.push(...o.events);
    out.peaks.push(...o.peaks);
  }
  return out;
}

const importOf = (t: P1Telegram): number => (t.importT1Kwh as number) + (t.importT2Kwh as number);
const byMetric = (rs: P1Reading[], m: string) => rs.filter((r) => r.metric === m);

/** The import register at an instant: the telegram on it, or the line between its neighbours. */
function registerAt(s: Stream, at: number): number {
  const i = s.telegrams.findIndex((t) => (t.timestamp as number) >= at);
  const after = s.telegrams[i] as P1Telegram;
  if (after.timestamp === at) return importOf(after);
  const before = s.telegrams[i - 1] as P1Telegram;
  const f =
    (at - (before.timestamp as number)) /
    ((after.timestamp as number) - (before.timestamp as number));
  return importOf(before) + (importOf(after) - importOf(before)) * f;
}

/** Per local day: quarters counted, and their sum checked against the registers at its midnights. */
function dailyCheck(s: Stream, out: AccumulatorOutput, days: string[]) {
  const consumption = byMetric(out.readings, 'electricity_consumption');
  const result: Record<string, number> = {};
  for (const day of days) {
    const quarters = consumption.filter((r) => localDate(r.start) === day);
    const total = quarters.reduce((a, r) => a + r.value, 0);
    const dayStart = (quarters[0] as P1Reading).start;
    const dayEnd = (quarters[quarters.length - 1] as P1Reading).start + 900_000;
    expect(localDate(dayStart - 1)).not.toBe(day);
    expect(localDate(dayEnd)).not.toBe(day);
    expect(Math.abs(total - (registerAt(s, dayEnd) - registerAt(s, dayStart)))).toBeLessThan(1e-6);
    result[day] = quarters.length;
  }
  return result;
}

describe('quarter-hour accumulator', () => {
  it('three days across the October change: 96, 100, 96 quarters, daily totals equal register differences', () => {
    // Local midnight 2026-10-24 is 22:00 UTC on the 23rd (summer time).
    const s = stream('2026-10-23T22:00:00Z', 73, 10, 1);
    const out = runAll(s.telegrams);
    expect(dailyCheck(s, out, ['2026-10-24', '2026-10-25', '2026-10-26'])).toEqual({
      '2026-10-24': 96,
      '2026-10-25': 100,
      '2026-10-26': 96,
    });
    expect(out.readings.every((r) => r.value >= 0)).toBe(true);
    const starts = byMetric(out.readings, 'electricity_consumption').map((r) => r.start);
    expect(new Set(starts).size).toBe(starts.length);
    const production = byMetric(out.readings, 'electricity_production');
    expect(production.some((r) => r.value > 0)).toBe(true);
  });

  it('the March change: 92 quarters, with interpolated boundaries when telegrams straddle them', () => {
    // Telegrams every 7 s never land on most boundaries: values there are interpolated.
    const s = stream('2026-03-28T23:00:00Z', 25, 7, 2);
    const out = runAll(s.telegrams);
    expect(dailyCheck(s, out, ['2026-03-29'])).toEqual({ '2026-03-29': 92 });
  });

  it('the quarter-hour demand is the average power over the quarter, and its maximum is the peak', () => {
    const s = stream('2026-10-23T22:00:00Z', 2, 1, 3);
    const out = runAll(s.telegrams);
    const demand = byMetric(out.readings, 'electricity_demand');
    const consumption = byMetric(out.readings, 'electricity_consumption');
    expect(demand).toHaveLength(8);
    demand.forEach((d, i) => expect(d.value).toBeCloseTo((consumption[i]?.value as number) * 4, 9));
  });

  it('a register that goes backwards gives an event and a new baseline, never a negative reading', () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const ts: P1Telegram[] = [];
    for (let i = 0; i <= 360; i++) ts.push(telegramAt(t0 + i * 10_000, 500 + i * 0.01));
    for (let i = 361; i <= 720; i++) ts.push(telegramAt(t0 + i * 10_000, (i - 361) * 0.01));
    const out = runAll(ts);
    expect(out.events).toContainEqual(
      expect.objectContaining({ kind: 'register_reset', register: 'import', after: 0 }),
    );
    const c = byMetric(out.readings, 'electricity_consumption');
    expect(c.every((r) => r.value >= 0)).toBe(true);
    // Four quarters before the reset at 11:00:10; after it, 11:15 is the first known boundary.
    expect(c.map((r) => new Date(r.start).toISOString().slice(11, 16))).toEqual([
      '10:00',
      '10:15',
      '10:30',
      '10:45',
      '11:15',
      '11:30',
      '11:45',
    ]);
  });

  it('a dongle that goes quiet leaves a gap: no reading is invented inside it', () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const ts: P1Telegram[] = [];
    for (let s = 0; s <= 3600 * 2; s += 10) {
      if (s > 1800 && s < 4200) continue; // silent from 10:30:00 to 11:10:00
      ts.push(telegramAt(t0 + s * 1000, 100 + s * 0.001));
    }
    const out = runAll(ts);
    const gap = out.events.find((e) => e.kind === 'gap');
    expect(gap).toMatchObject({ from: t0 + 1800_000, to: t0 + 4200_000 });
    expect(gap && gap.kind === 'gap' ? gap.importKwh : 0).toBeCloseTo(2.4, 9);
    const starts = byMetric(out.readings, 'electricity_consumption').map((r) =>
      new Date(r.start).toISOString().slice(11, 16),
    );
    expect(starts).toEqual(['10:00', '10:15', '11:15', '11:30', '11:45']);
  });

  it('a burst of queued telegrams is placed by their own timestamps, not at arrival', () => {
    const s = stream('2026-12-01T10:00:00Z', 1, 1, 4);
    const now = Date.parse('2026-12-01T11:20:00Z');
    const out = runAll(s.telegrams, () => now);
    const starts = byMetric(out.readings, 'electricity_consumption').map((r) =>
      new Date(r.start).toISOString(),
    );
    expect(starts).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-01T10:15:00.000Z',
      '2026-12-01T10:30:00.000Z',
      '2026-12-01T10:45:00.000Z',
    ]);
  });

  it('a dongle clock that is plainly wrong is reported once and its telegrams are not used', () => {
    const s = stream('2026-12-01T10:00:00Z', 1, 10, 5);
    const twoDays = 2 * 86_400_000;
    const out = runAll(s.telegrams, (t) => (t.timestamp as number) - twoDays);
    expect(out.readings).toHaveLength(0);
    expect(out.events.filter((e) => e.kind === 'clock_suspect')).toHaveLength(1);
    expect(out.events[0]).toMatchObject({ kind: 'clock_suspect', offsetSeconds: 2 * 86_400 });
  });

  it('an older telegram after a newer one is reported and ignored; a repeated one is a duplicate', () => {
    const acc = createQuarterHourAccumulator();
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    acc.push(telegramAt(t0, 1), t0);
    acc.push(telegramAt(t0 + 10_000, 1.01), t0 + 10_000);
    expect(acc.push(telegramAt(t0 + 10_000, 1.01), t0 + 10_000).events).toEqual([]);
    expect(acc.push(telegramAt(t0 + 5_000, 1.005), t0 + 11_000).events).toEqual([
      { kind: 'out_of_order', at: t0 + 5_000, lastAt: t0 + 10_000 },
    ]);
    expect(acc.counts()).toMatchObject({ accepted: 2, duplicates: 1, outOfOrder: 1 });
  });

  it('gas per its own timestamps: one reading per new sub-meter value', () => {
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const ts: P1Telegram[] = [];
    for (let s = 0; s <= 1800; s += 10) {
      const gasAt = t0 + Math.floor(s / 300) * 300_000; // e-MUCS: every 5 minutes
      ts.push(
        telegramAt(t0 + s * 1000, 1 + s * 0.001, 0, {
          at: gasAt,
          m3: 100 + (gasAt - t0) / 3_000_000,
        }),
      );
    }
    const gas = byMetric(runAll(ts).readings, 'gas_consumption');
    expect(gas).toHaveLength(6);
    expect(gas[0]).toEqual({
      metric: 'gas_consumption',
      start: t0,
      intervalSeconds: 300,
      value: expect.closeTo(0.1, 9),
      unit: 'm3',
    });
  });

  it('resuming from a saved state gives the same readings as an uninterrupted run', () => {
    const s = stream('2026-10-24T22:00:00Z', 6, 10, 6);
    const whole = runAll(s.telegrams).readings;
    const first = createQuarterHourAccumulator();
    const half = Math.floor(s.telegrams.length / 2) + 17;
    const parts: P1Reading[] = [];
    for (const t of s.telegrams.slice(0, half))
      parts.push(...first.push(t, t.timestamp as number).readings);
    const saved = JSON.parse(JSON.stringify(first.state()));
    const second = createQuarterHourAccumulator({}, saved);
    for (const t of s.telegrams.slice(half))
      parts.push(...second.push(t, t.timestamp as number).readings);
    expect(parts).toEqual(whole);
  });

  it('the month peak (1-0:1.6.0) is reported when it changes', () => {
    const acc = createQuarterHourAccumulator();
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    const peaks = [];
    for (const [i, kw] of [2.5, 2.5, 3.1].entries()) {
      const t = telegramAt(t0 + i * 1000, 1 + i);
      t.monthPeak = { closedAt: null, at: kw === 2.5 ? t0 - 900_000 : t0, kw };
      peaks.push(...acc.push(t, t0 + i * 1000).peaks);
    }
    expect(peaks.map((p) => [p.month, p.kw])).toEqual([
      ['2026-12', 2.5],
      ['2026-12', 3.1],
    ]);
  });
});
