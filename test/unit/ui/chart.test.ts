import { describe, expect, test } from 'vitest';
import { renderChart, resample } from '../../../src/ui/chart.js';
import { visibleLength } from '../../../src/ui/color.js';

const week = [1, 3, 2, 5, 4, 6, 2];
const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A week of half-hours with a daily shape, one label per day. */
function halfHours(): { values: number[]; labels: string[] } {
  const values: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < 48 * 7; i++) {
    values.push(0.2 + 0.15 * Math.sin((i / 48) * 2 * Math.PI) + (i % 48 >= 36 ? 0.4 : 0));
    labels.push(i % 48 === 0 ? `2026-10-0${i / 48 + 1}` : '');
  }
  return { values, labels };
}

function maxLineWidth(text: string): number {
  return Math.max(...text.split('\n').map(visibleLength));
}

describe('renderChart', () => {
  test('a short series as steps, unit above the axis, labels under their ticks', () => {
    const out = renderChart({
      values: week,
      labels: days,
      unit: 'kWh',
      width: 60,
      height: 6,
      title: 'Daily consumption',
      color: false,
    });
    expect(out).toMatchInlineSnapshot(`
      "Daily consumption
      kWh
      6.0 ┤                                       ╭───────╮
      5.2 ┤                       ╭───────╮       │       │
      4.3 ┤                       │       ╰───────╯       │
      3.5 ┤       ╭───────╮       │                       │
      2.7 ┤       │       │       │                       │
      1.8 ┤       │       ╰───────╯                       ╰───────
      1.0 ┤───────╯
          ├───────┬───────┬───────┬───────┬───────┬───────┬───────
          Mon     Tue     Wed     Thu     Fri     Sat     Sun"
    `);
  });

  test('never wider than the terminal, whatever the series length', () => {
    const { values, labels } = halfHours();
    for (const width of [20, 40, 80, 132]) {
      const out = renderChart({ values, labels, unit: 'kWh', width, color: false });
      expect(maxLineWidth(out)).toBeLessThanOrEqual(width);
    }
    for (const width of [20, 80]) {
      const out = renderChart({ values: week, labels: days, unit: 'kWh', width, color: true });
      expect(maxLineWidth(out)).toBeLessThanOrEqual(width);
    }
  });

  test('a long series is averaged down and its day labels do not overlap', () => {
    const { values, labels } = halfHours();
    const out = renderChart({ values, labels, unit: 'kWh', width: 80, color: false });
    const lines = out.split('\n');
    expect(lines[0]?.trim()).toBe('kWh');
    const labelLine = lines[lines.length - 1] ?? '';
    const shown = labelLine.trim().split(/\s+/);
    expect(shown.length).toBeGreaterThanOrEqual(3);
    for (const label of shown) expect(label).toMatch(/^2026-10-0\d$/);
    // Narrow terminal: fewer labels, still whole and separated.
    const narrow = renderChart({ values, labels, unit: 'kWh', width: 40, color: false });
    const narrowLabels = (narrow.split('\n').pop() ?? '').trim().split(/\s+/);
    expect(narrowLabels.length).toBeLessThan(shown.length);
    for (const label of narrowLabels) expect(label).toMatch(/^2026-10-0\d$/);
  });

  test('the y axis spans the data: top label is the maximum, bottom the minimum', () => {
    const out = renderChart({
      values: [10, 20, 40],
      labels: [],
      unit: 'W',
      width: 40,
      color: false,
    });
    const axisLabels = out
      .split('\n')
      .filter((l) => l.includes('┤'))
      .map((l) => Number(l.split('┤')[0]));
    expect(axisLabels[0]).toBe(40);
    expect(axisLabels[axisLabels.length - 1]).toBe(10);
  });

  test('a flat series draws one line between labels around its value', () => {
    const out = renderChart({
      values: [2, 2, 2, 2],
      labels: [],
      unit: 'kWh',
      width: 40,
      color: false,
    });
    const flatRow = out.split('\n').find((l) => l.includes('──'));
    expect(flatRow?.startsWith('2.0')).toBe(true);
    const zeros = renderChart({ values: [0, 0], labels: [], unit: 'kWh', width: 40, color: false });
    expect(zeros).toContain('──');
  });

  test('empty and all-missing series print the empty text', () => {
    expect(renderChart({ values: [], labels: [], unit: 'kWh', width: 80, color: false })).toBe(
      'no data to chart',
    );
    expect(
      renderChart({
        values: [Number.NaN, Number.NaN],
        labels: ['a', 'b'],
        unit: 'kWh',
        width: 80,
        title: 'Today',
        color: false,
        empty: 'no readings today',
      }),
    ).toBe('Today\nno readings today');
  });

  test('gaps in the series do not break the chart', () => {
    const out = renderChart({
      values: [1, Number.NaN, 3, Number.POSITIVE_INFINITY, 2],
      labels: [],
      unit: 'kWh',
      width: 40,
      color: false,
    });
    expect(out).toContain('3.0');
    expect(out).not.toContain('NaN');
  });

  test('too narrow a terminal says so instead of drawing', () => {
    const out = renderChart({ values: week, labels: days, unit: 'kWh', width: 6, color: false });
    expect(maxLineWidth(out)).toBeLessThanOrEqual(6);
    expect(out).not.toContain('┤');
  });
});

describe('resample', () => {
  test('averages buckets when there are more values than columns', () => {
    const { series } = resample([1, 3, 5, 7], 2);
    expect(series).toEqual([2, 6]);
  });

  test('repeats values as steps when there are fewer values than columns', () => {
    const { series, columnOf } = resample([1, 2], 5);
    expect(series).toEqual([1, 1, 2, 2]);
    expect(columnOf(1)).toBe(2);
  });
});

describe('renderChart on long series', () => {
  test('two years of half-hours render within the width', () => {
    const values = Array.from({ length: 48 * 730 }, (_, i) => (i % 48) / 10);
    const labels = values.map((_, i) => (i % (48 * 30) === 0 ? `M${i / (48 * 30)}` : ''));
    const out = renderChart({ values, labels, unit: 'kWh', width: 100, color: false });
    expect(maxLineWidth(out)).toBeLessThanOrEqual(100);
    expect(out).toContain('M0');
  });
});
