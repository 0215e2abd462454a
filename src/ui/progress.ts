/**
 * A one-line progress bar on stderr for long work (sync windows, the demo's backfill),
 * drawn by cli-progress, which owns the bar's terminal line: a log line written while the
 * bar runs goes through `writeAbove`, which clears the bar, prints the line, and draws the
 * bar again below it, so the two never share a line. It writes nothing at all when disabled
 * (stderr not a TTY, --json, --quiet), so logs and pipes stay clean.
 */
import cliProgress from 'cli-progress';
import { createColors } from './color.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  columns?: number;
  isTTY?: boolean;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Expected units of work; 0 when unknown (the bar then shows the count only). */
  total: number;
  label: string;
  enabled: boolean;
  color?: boolean;
}

export interface Progress {
  tick(n?: number): void;
  setTotal(total: number): void;
  /** Prints text (whole lines) above the bar, which is drawn again below it. */
  writeAbove(text: string): void;
  /** Draw the final state and end the line. Safe to call twice. */
  done(): void;
}

export function createProgress(options: ProgressOptions): Progress {
  // No bar: nothing drawn, and log lines go straight to the stream.
  if (!options.enabled)
    return {
      tick() {},
      setTotal() {},
      writeAbove: (text) => void options.stream.write(text),
      done() {},
    };
  const paint = createColors(options.color ?? false);
  const multi = new cliProgress.MultiBar({
    stream: options.stream as NodeJS.WritableStream,
    format: `${options.label}  ${paint.cyan('{bar}')}  {value}/{total}  {percentage}%  ETA {eta_formatted}`,
    barCompleteChar: '#',
    barIncompleteChar: '-',
    barsize: 24,
    hideCursor: false,
    clearOnComplete: false,
    // Our own signal handling stops the work; the bar is stopped in done().
    gracefulExit: false,
    etaBuffer: 20,
    fps: 10,
  });
  const bar = multi.create(Math.max(0, options.total), 0);
  let finished = false;
  return {
    tick(n = 1) {
      if (!finished) bar.increment(n);
    },
    setTotal(next) {
      if (!finished) bar.setTotal(Math.max(0, next));
    },
    writeAbove(text) {
      if (finished) {
        options.stream.write(text);
        return;
      }
      multi.log(text.endsWith('\n') ? text : text + '\n');
      multi.update();
    },
    done() {
      if (finished) return;
      finished = true;
      multi.update();
      multi.stop();
    },
  };
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
