/**
 * Reads a file given to `import` as a stream of batches of staged rows and rejected rows:
 * the start is sniffed (JSON or CSV, delimiter, layout), then CSV goes through csv-parse
 * record by record, so memory stays bounded whatever the file's size. Saved JSON answers
 * (a week or a month of a load curve) are read whole.
 */
import fs from 'node:fs';
import { parse, CsvError } from 'csv-parse';
import { InputError } from '../domain/errors.js';
import { enedisAccountParser } from './enedisAccount.js';
import { genericCsvParser } from './genericCsv.js';
import { FLUVIUS, ORES_PORTAL } from './portalLayouts.js';
import { portalParser } from './portalQuarterHours.js';
import { parseProviderJson } from './providerJson.js';
import { sniff, type Delimiter } from './sniff.js';
import { escapeControls } from './text.js';
import type {
  ImportFormat,
  ParseTarget,
  RecordParser,
  RowError,
  RowSink,
  StagedRow,
} from './types.js';

const HEAD_BYTES = 64 * 1024;
/** Rows handed on at once: large enough to amortise a statement, small enough to stay flat. */
export const BATCH_ROWS = 5_000;
/** Saved answers are read whole; past this size a JSON file is refused. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

export interface ImportBatch {
  rows: StagedRow[];
  errors: RowError[];
}

export interface FileInfo {
  format: ImportFormat | 'enedis-2026' | 'enedis-v5';
  meter: string | undefined;
  source: string;
  notes: string[];
}

function readHead(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw new InputError(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  try {
    if (fs.fstatSync(fd).isDirectory())
      throw new InputError(`cannot read ${file}: it is a directory`);
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function recordParser(
  format: ImportFormat,
  t: ParseTarget,
  sink: RowSink,
  delimiter: Delimiter,
): RecordParser {
  switch (format) {
    case 'fluvius':
      return portalParser(FLUVIUS, t, sink);
    case 'ores-portal':
      return portalParser(ORES_PORTAL, t, sink);
    case 'enedis-account':
      return enedisAccountParser(t, sink);
    default:
      return genericCsvParser(t, sink, { decimalComma: delimiter !== ',' });
  }
}

/**
 * Reads `file` in the given format ('auto' sniffs it). `info` is filled as reading goes and
 * is complete once the iteration ends.
 */
export async function* readImportFile(
  file: string,
  format: ImportFormat | 'auto',
  t: ParseTarget,
  info: FileInfo,
): AsyncGenerator<ImportBatch> {
  const head = readHead(file);
  const sniffed = sniff(head);
  const chosen = format === 'auto' ? sniffed.format : format;
  let batch: ImportBatch = { rows: [], errors: [] };
  const sink: RowSink = { row: (r) => batch.rows.push(r), error: (e) => batch.errors.push(e) };
  info.format = chosen;
  if (chosen === 'enedis' || chosen === 'ores') {
    if (fs.statSync(file).size > MAX_JSON_BYTES)
      throw new InputError(
        `${file} is larger than ${MAX_JSON_BYTES / 1024 / 1024} MiB: split the saved answer`,
      );
    let r;
    try {
      r = parseProviderJson(fs.readFileSync(file, 'utf8'), chosen, t, sink);
    } catch (e) {
      if (e instanceof InputError)
        throw new InputError(`${file}: ${escapeControls(e.message)}`, { hint: e.hint });
      throw e;
    }
    Object.assign(info, r);
    yield batch;
    return;
  }
  if (sniffed.kind === 'json')
    throw new InputError(`${file} is JSON, not a ${chosen} export`, {
      hint: 'pass --format enedis or ores, or leave --format out',
    });
  const parser = recordParser(chosen, t, sink, sniffed.delimiter);
  info.source = 'import';
  const csv = fs.createReadStream(file).pipe(
    parse({
      bom: true,
      delimiter: sniffed.delimiter,
      relax_column_count: true,
      // Excel keeps an EAN's zeros by writing ="5414…": a quote inside an unquoted cell.
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      comment: '#',
      comment_no_infix: true,
      info: true,
    }),
  );
  try {
    for await (const item of csv as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      parser.record(item.record, item.info.lines);
      if (batch.rows.length >= BATCH_ROWS || batch.errors.length >= BATCH_ROWS) {
        yield batch;
        batch = { rows: [], errors: [] };
      }
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines ?? 0;
      throw new InputError(`${file}: line ${line}: ${escapeControls(e.message.slice(0, 200))}`, {
        hint: 'nothing was imported; fix the quoting of that line',
      });
    }
    throw e;
  }
  parser.end();
  info.meter = parser.meter();
  info.notes.push(...parser.notes());
  yield batch;
}
