/**
 * The data-directory lock under contention: processes started together on a stale lock
 * (its holder died) must end with exactly one holder, and a fresh lock is never taken.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_DIR, LOCK_INFO_FILE, readLock } from '../../../src/db/lock.js';

const HOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/processes/lockHolder.mjs',
);

interface Outcome {
  acquired: boolean;
  heldBy?: number | null;
}

function lines(child: ChildProcess): AsyncGenerator<string> {
  let buf = '';
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    wake?.();
  });
  child.on('exit', () => {
    ended = true;
    wake?.();
  });
  return (async function* () {
    for (;;) {
      if (queue.length > 0) yield queue.shift()!;
      else if (ended) return;
      else await new Promise<void>((r) => (wake = r));
    }
  })();
}

/** A pid that certainly belonged to a process of this host that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

let children: ChildProcess[] = [];
let dirs: string[] = [];
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  children = [];
  dirs = [];
});

/** Starts n holders, releases them at once (a barrier on stdin), returns their outcomes. */
async function race(dataDir: string, n: number): Promise<Outcome[]> {
  const procs = Array.from({ length: n }, () =>
    spawn(process.execPath, [HOLDER, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  children.push(...procs);
  const streams = procs.map(lines);
  for (const s of streams) expect((await s.next()).value).toBe('ready');
  for (const p of procs) p.stdin!.write('go\n');
  const outcomes: Outcome[] = [];
  for (const s of streams) outcomes.push(JSON.parse((await s.next()).value as string) as Outcome);
  return outcomes;
}

function staleLock(info: object, ageMs: number): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-lock-'));
  dirs.push(dataDir);
  fs.mkdirSync(path.join(dataDir, LOCK_DIR));
  fs.writeFileSync(path.join(dataDir, LOCK_INFO_FILE), JSON.stringify(info));
  const t = new Date(Date.now() - ageMs);
  fs.utimesSync(path.join(dataDir, LOCK_DIR), t, t);
  return dataDir;
}

describe('data-directory lock', () => {
  it.each([1, 2, 3, 4, 5])(
    'six processes on the lock of a dead holder of this host: exactly one acquires (round %i)',
    async () => {
      const info = { pid: deadPid(), command: 'old', host: os.hostname(), startedAt: 'x' };
      const dataDir = staleLock(info, 0);
      const outcomes = await race(dataDir, 6);
      expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
      const winner = readLock(dataDir);
      expect(winner?.pid).not.toBe(info.pid);
      // Every loser names the winner.
      for (const o of outcomes.filter((x) => !x.acquired)) expect(o.heldBy).toBe(winner?.pid);
    },
    60_000,
  );

  it('six processes on a lock whose refresh stopped long ago: exactly one acquires', async () => {
    const info = { pid: 1, command: 'elsewhere', host: 'another-host', startedAt: 'x' };
    const dataDir = staleLock(info, 10 * 60_000);
    const outcomes = await race(dataDir, 6);
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
  }, 60_000);

  it('a fresh lock whose holder file cannot be read is not taken', async () => {
    const dataDir = staleLock({}, 0);
    fs.writeFileSync(path.join(dataDir, LOCK_INFO_FILE), '{ truncated');
    const outcomes = await race(dataDir, 3);
    expect(outcomes.filter((o) => o.acquired)).toHaveLength(0);
  }, 60_000);
});
