/**
 * A one-line progress bar on stderr for long work (sync windows, imports):
 * `syncing [########------------] 120/300  40%  12.0/s  ETA 0:15`.
 * It redraws at most about ten times a second and only when something changed; it
 * writes nothing at all when disabled (stderr not a TTY, --json, --quiet), so logs and
 * pipes stay clean.
 */
import { createColors } from './color.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Expected units of work; 0 when unknown (the bar then shows the count only). */
  total: number;
  label: string;
  enabled: boolean;
  color?: boolean;
  /** Milliseconds clock; injectable so redraws can be tested without waiting. */
  now?: () => number;
}

export interface Progress {
  tick(n?: number): void;
  setTotal(total: number): void;
  /** Draw the final state and end the line. Safe to call twice. */
  done(): void;
}

const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 24;
const DEFAULT_COLUMNS = 80;

const SILENT: Progress = { tick() {}, setTotal() {}, done() {} };

export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled) return SILENT;
  const { stream, label } = options;
  const now = options.now ?? Date.now;
  const paint = createColors(options.color ?? false);
  const startedAt = now();
  let total = Math.max(0, options.total);
  let count = 0;
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let finished = false;

  const draw = (): void => {
    lastDrawAt = now();
    const line = progressLine({
      label,
      count,
      total,
      elapsedMs: lastDrawAt - startedAt,
      columns: stream.columns ?? DEFAULT_COLUMNS,
    });
    // \r returns to the start, \x1b[K clears what a longer previous line left behind.
    stream.write(`\r${paint.cyan(line)}\x1b[K`);
  };

  return {
    tick(n = 1) {
      if (finished) return;
      count += n;
      if (now() - lastDrawAt >= REDRAW_INTERVAL_MS) draw();
    },
    setTotal(next) {
      if (finished) return;
      total = Math.max(0, next);
      if (now() - lastDrawAt >= REDRAW_INTERVAL_MS) draw();
    },
    done() {
      if (finished) return;
      finished = true;
      draw();
      stream.write('\n');
    },
  };
}

export interface ProgressState {
  label: string;
  count: number;
  total: number;
  elapsedMs: number;
  columns: number;
}

/** The text of the bar for one state, cut to the terminal width. */
export function progressLine(state: ProgressState): string {
  const { label, count, total, elapsedMs } = state;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? count / seconds : 0;
  const parts: string[] = [label];
  if (total > 0) {
    const ratio = Math.min(1, count / total);
    const filled = Math.round(ratio * BAR_WIDTH);
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
    parts.push(`${count}/${total}`, `${Math.floor(ratio * 100)}%`);
  } else {
    parts.push(`${count}`);
  }
  if (rate > 0) parts.push(`${rate.toFixed(1)}/s`);
  if (total > 0 && rate > 0 && count < total) {
    parts.push(`ETA ${formatDuration((total - count) / rate)}`);
  }
  const line = parts.join('  ');
  // Leave the last column free: writing into it makes some terminals wrap.
  const room = Math.max(1, state.columns - 1);
  return line.length > room ? line.slice(0, room) : line;
}

/** m:ss below an hour, h:mm:ss above. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}
