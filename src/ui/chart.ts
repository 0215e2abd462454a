/**
 * Line charts for the terminal, drawn with asciichart: a y axis labelled with the unit,
 * the series averaged into as many columns as the terminal has room for, and period
 * labels under the x axis where they fit.
 */
import * as asciichart from 'asciichart';
import { visibleLength } from './color.js';
import { formatNumber } from './format.js';

export interface RenderChartOptions {
  values: ReadonlyArray<number>;
  /** One label per value (a period: '2026-09-29', '14:00'); shown where they do not overlap. */
  labels: ReadonlyArray<string>;
  unit: string;
  /** Terminal columns: no line of the chart is wider. */
  width: number;
  /** Plot rows; default 10. */
  height?: number;
  title?: string;
  color: boolean;
  /** Printed when there is nothing to draw; default 'no data to chart'. */
  empty?: string;
}

const DEFAULT_HEIGHT = 10;
/**
 * asciichart's own symbols, except the first: it marks the axis row it takes for zero
 * with '┼', and on a scaled chart that row is mirrored and lands on an unrelated value.
 */
const SYMBOLS: [string, string, string, string, string, string, string, string, string, string] = [
  '┤',
  '┤',
  '╶',
  '╴',
  '─',
  '╰',
  '╭',
  '╮',
  '╯',
  '│',
];
/** Narrower than this, a chart is noise: say so instead. */
const MIN_PLOT_COLUMNS = 4;

export function renderChart(options: RenderChartOptions): string {
  const width = Math.max(1, Math.floor(options.width));
  const height = Math.max(1, Math.floor(options.height ?? DEFAULT_HEIGHT));
  const head = options.title ? [clamp(options.title, width)] : [];
  const finite = options.values.filter(Number.isFinite);
  if (finite.length === 0) {
    return [...head, clamp(options.empty ?? 'no data to chart', width)].join('\n');
  }

  // A loop, not Math.min(...values): years of 10-minute data exceed the argument limit.
  // The axis spans the raw extremes, so a peak averaged into a bucket still fits.
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) {
    // asciichart has no range to scale on a flat line (its labels collapse to the
    // rounded value): open a band around the value so the line sits in the middle.
    const pad = Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const decimals = decimalsFor((max - min) / height);
  const labelWidth = Math.max(
    visibleLength(formatNumber(min, decimals)),
    visibleLength(formatNumber(max, decimals)),
  );
  // A row is: y label, one space, the axis column (which carries the first value), the plot.
  const plotColumns = width - labelWidth - 1;
  if (plotColumns < MIN_PLOT_COLUMNS) {
    return [...head, clamp('terminal too narrow for a chart', width)].join('\n');
  }

  const { series, columnOf } = resample(options.values, plotColumns);
  const plot = asciichart.plot(series, {
    height,
    min,
    max,
    offset: 3,
    format: (x: number) => formatNumber(x, decimals).padStart(labelWidth),
    symbols: SYMBOLS,
    ...(options.color ? { colors: [asciichart.cyan] } : {}),
  });

  const plotLines = plot.split('\n').map((line) => clamp(line.trimEnd(), width));
  const unitLine = clamp(options.unit.padStart(labelWidth), width);
  const axisStart = labelWidth + 1;
  // Fewer labels than values (one per day under half-hourly data) are spread evenly.
  const valueCount = options.values.length;
  const labelCount = options.labels.length;
  const labelColumn = (i: number): number =>
    columnOf(labelCount === valueCount ? i : Math.floor((i * valueCount) / labelCount));
  const xAxis = xAxisLines(options.labels, labelColumn, series.length, axisStart, width);
  return [...head, unitLine, ...plotLines, ...xAxis].join('\n');
}

/**
 * Fit the values to `columns`: average buckets when there are more values than columns,
 * repeat each value as a step when there are fewer (an interval's value holds for the
 * whole interval). Gaps (non-finite values) take the previous value, since asciichart
 * cannot draw a break. `columnOf(i)` is where value i starts.
 */
export function resample(
  values: ReadonlyArray<number>,
  columns: number,
): { series: number[]; columnOf: (index: number) => number } {
  const count = values.length;
  const raw: number[] = [];
  let columnOf: (index: number) => number;
  if (count > columns) {
    for (let bucket = 0; bucket < columns; bucket++) {
      const from = Math.floor((bucket * count) / columns);
      const to = Math.floor(((bucket + 1) * count) / columns);
      let sum = 0;
      let finite = 0;
      for (let i = from; i < to; i++) {
        const value = values[i];
        if (value !== undefined && Number.isFinite(value)) {
          sum += value;
          finite++;
        }
      }
      raw.push(finite > 0 ? sum / finite : Number.NaN);
    }
    columnOf = (index) => Math.floor((index * columns) / count);
  } else {
    const step = Math.max(1, Math.floor(columns / Math.max(1, count)));
    for (const value of values) for (let repeat = 0; repeat < step; repeat++) raw.push(value);
    columnOf = (index) => index * step;
  }
  const firstFinite = raw.find(Number.isFinite) ?? 0;
  let previous = firstFinite;
  const series = raw.map((v) => (Number.isFinite(v) ? (previous = v) : previous));
  return { series, columnOf };
}

/** A rule under the plot with a tick per shown label, and the labels below their ticks. */
function xAxisLines(
  labels: ReadonlyArray<string>,
  columnOf: (index: number) => number,
  plotWidth: number,
  axisStart: number,
  width: number,
): string[] {
  const rule = ['└', ...'─'.repeat(Math.max(0, plotWidth - 1))];
  const text: string[] = [];
  // Callers often label only some values (a date at each midnight, '' elsewhere).
  const marks = labels
    .map((label, index) => ({ label, index }))
    .filter((mark) => visibleLength(mark.label) > 0);
  const longest = marks.reduce((w, mark) => Math.max(w, visibleLength(mark.label)), 0);
  if (marks.length === 0) return [clamp(' '.repeat(axisStart) + rule.join(''), width)];

  // A uniform stride keeps the shown labels evenly spaced; the overlap check below
  // still drops any that would collide (a wide last label, uneven buckets).
  const columnsPerMark = plotWidth / marks.length;
  const stride = Math.max(1, Math.ceil((longest + 2) / Math.max(columnsPerMark, 1e-9)));
  let nextFree = 0;
  for (let shown = 0; shown < marks.length; shown += stride) {
    const { label, index } = marks[shown] ?? { label: '', index: 0 };
    const column = columnOf(index);
    const start = axisStart + column;
    if (column >= plotWidth || start < nextFree) continue;
    if (start + visibleLength(label) > width) break;
    while (text.length < start) text.push(' ');
    text.push(...label);
    nextFree = start + visibleLength(label) + 2;
    rule[column] = column === 0 ? '├' : '┬';
  }
  return [clamp(' '.repeat(axisStart) + rule.join(''), width), text.join('').trimEnd()];
}

/** Decimals that tell one y-axis row from the next. */
function decimalsFor(step: number): number {
  if (step >= 1) return 0;
  if (step >= 0.1) return 1;
  if (step >= 0.01) return 2;
  return 3;
}

/** Cut a line to `width` printed columns, keeping escape sequences intact. */
function clamp(line: string, width: number): string {
  if (visibleLength(line) <= width) return line;
  let out = '';
  let shown = 0;
  // eslint-disable-next-line no-control-regex
  const tokens = line.match(/\x1b\[[0-9;]*[A-Za-z]|[\s\S]/gu) ?? [];
  for (const token of tokens) {
    if (token.startsWith('\x1b')) {
      out += token;
    } else if (shown < width) {
      out += token;
      shown++;
    }
  }
  return out;
}
