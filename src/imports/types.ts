/**
 * What the parsers of `import` hand on: rows ready to stage (value already in the metric's
 * stored unit) and rejected rows with their line numbers. Parsers are pure: they receive
 * records one at a time and call back, so a file of any size goes through in bounded memory.
 */
import type { MetricType } from '../domain/readings.js';

export const IMPORT_FORMATS = [
  'csv',
  'enedis',
  'ores',
  'fluvius',
  'ores-portal',
  'enedis-account',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface StagedRow {
  /** Line of the file the row comes from (0 for a saved JSON answer). */
  line: number;
  metric: MetricType;
  /** Interval start, UTC epoch milliseconds. */
  startMs: number;
  /** Interval length in seconds; null when it is to be inferred from the series' neighbours. */
  seconds: number | null;
  value: number;
  unit: string;
  /**
   * The register a row belongs to within its metric (a portal's day and night registers);
   * rows of different parts with the same start add up, two rows of one part are duplicates.
   */
  part: string;
}

export interface RowError {
  line: number;
  error: string;
}

export interface RowSink {
  row(r: StagedRow): void;
  error(e: RowError): void;
}

/** A parser of one CSV layout: fed record by record, then ended. */
export interface RecordParser {
  record(fields: string[], line: number): void;
  end(): void;
  /** The meter the file names (EAN, PRM), when it names one. */
  meter(): string | undefined;
  /** Remarks for the user (how a choice was made), shown with the result. */
  notes(): string[];
}

export interface ParseTarget {
  now: Date;
  /** --metric: forces the metric where the file does not say or says otherwise. */
  metric?: MetricType;
  /** --interval: forces the interval length of rows that do not carry one. */
  intervalSeconds?: number;
  /** Time zone of local times without an offset (portal exports). */
  timeZone: string;
  /** --column role=Name overrides for layouts whose column names may vary. */
  columns?: Record<string, string>;
}
