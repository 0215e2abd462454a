/**
 * The embedded engine runs with buffers sized for a small host, in a data directory as a user
 * has it, and still holds and returns what was written across a reopen.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openEmbeddedDatabase } from '../../../src/db/embedded.js';
import { rewriteStartupArgument, SMALL_HOST_SETTINGS } from '../../../src/db/engineSettings.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-engine-settings-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function settingsOf(profile: 'short-lived' | 'long-lived') {
  const db = await openEmbeddedDatabase(path.join(dir, 'data'), { command: 'test', profile });
  try {
    const show = async (name: string) =>
      (await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]![name];
    await db.exec('CREATE TABLE IF NOT EXISTS kept (n int)');
    await db.query('INSERT INTO kept VALUES ($1)', [profile === 'short-lived' ? 1 : 2]);
    const kept = (await db.query<{ n: number }>('SELECT n FROM kept ORDER BY n')).rows;
    return {
      sharedBuffers: await show('shared_buffers'),
      walBuffers: await show('wal_buffers'),
      minWalSize: await show('min_wal_size'),
      workMem: await show('work_mem'),
      maintenanceWorkMem: await show('maintenance_work_mem'),
      kept: kept.map((r) => r.n),
    };
  } finally {
    await db.close();
  }
}

describe('the embedded engine on a small host', () => {
  it('a query command and the daemon each get their own buffer sizes; data survives', async () => {
    const short = await settingsOf('short-lived');
    expect(short).toEqual({ ...SMALL_HOST_SETTINGS['short-lived'], kept: [1] });
    const long = await settingsOf('long-lived');
    expect(long).toEqual({ ...SMALL_HOST_SETTINGS['long-lived'], kept: [1, 2] });
  }, 180_000);
});

describe('rewriteStartupArgument', () => {
  const heapWith = (text: string) => {
    const heap = new Uint8Array(64);
    heap.set(Buffer.from(`xx\0${text}\0yy`), 4);
    return heap;
  };
  it('rewrites the argument in place, zero-padded, leaving its neighbours', () => {
    const heap = heapWith('shared_buffers=128MB');
    expect(rewriteStartupArgument(heap, 'shared_buffers=128MB', 'shared_buffers=16MB')).toBe(true);
    const text = Buffer.from(heap).toString('latin1');
    expect(text).toContain('xx\0shared_buffers=16MB\0\0yy');
  });
  it('leaves an engine without that argument, or a longer replacement, untouched', () => {
    const heap = heapWith('shared_buffers=64MB');
    const before = Buffer.from(heap);
    expect(rewriteStartupArgument(heap, 'shared_buffers=128MB', 'shared_buffers=16MB')).toBe(false);
    expect(rewriteStartupArgument(heap, 'shared_buffers=64MB', 'shared_buffers=1024MB')).toBe(
      false,
    );
    expect(Buffer.from(heap).equals(before)).toBe(true);
  });
});
