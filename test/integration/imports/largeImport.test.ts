/**
 * A file far past the size that used to crash `import` (Math.min over every timestamp blew
 * the stack from about 200,000 rows): 300,000 quarter-hours go in completely, in one
 * transaction. Memory and speed figures are in `npm run bench -- import`, not here.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countReadings } from '../../../src/db/readings.js';
import { openTestDatabase, type TestDatabase } from '../../helpers/databases.js';
import { building, runImportOf, tempFile, removeTempFiles } from './helpers.js';

const ROWS = 300_000;
const START = Date.UTC(2016, 0, 1);

function writeFile(rows: number, badLine?: number): string {
  const file = tempFile('large.csv', '');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'timestamp;value\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const value = badLine === i + 2 ? 'n/a' : ((i % 97) / 100).toFixed(2).replace('.', ',');
    chunk += `${new Date(START + i * 900_000).toISOString()};${value}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = '';
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  return file;
}

describe('a large import (embedded)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('embedded');
  }, 60_000);
  afterAll(async () => {
    removeTempFiles();
    await t.close();
  });

  it(`imports ${ROWS.toLocaleString('en-US')} rows completely, and one bad row among them writes nothing`, async () => {
    const b = await building(t.db, 'Large');
    const range = { buildingId: b.id, from: new Date(START), to: new Date(START + ROWS * 900_000) };
    const bad = writeFile(ROWS, 250_001);
    const e = (await runImportOf(t.db, b.name, bad, { deviceRef: 'large' }).catch(
      (x: Error) => x,
    )) as Error;
    expect(e.message).toContain("1 invalid row(s): line 250001: value 'n/a' is not a number");
    expect(await countReadings(t.db, range)).toBe(0);

    const file = writeFile(ROWS);
    const r = await runImportOf(t.db, b.name, file, { deviceRef: 'large' });
    expect(r).toMatchObject({ parsed: ROWS, written: ROWS, invalid: 0 });
    expect(r.range).toEqual({
      start: new Date(START).toISOString(),
      end: new Date(START + (ROWS - 1) * 900_000).toISOString(),
    });
    expect(await countReadings(t.db, range)).toBe(ROWS);
    const sums = await t.db.query<{ total: number; secs: number }>(
      `SELECT sum(value)::float8 AS total, max(interval_seconds) AS secs FROM iot_readings WHERE device_ref = 'large'`,
    );
    let expected = 0;
    for (let i = 0; i < ROWS; i++) expected += (i % 97) / 100;
    expect(sums.rows[0]?.total).toBeCloseTo(expected, 3);
    expect(sums.rows[0]?.secs).toBe(900);
  }, 600_000);
});
