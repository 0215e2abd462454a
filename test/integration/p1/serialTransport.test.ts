/**
 * The serial transport on a real pseudo-terminal pair made by socat: the transport opens
 * one end as the P1 cable, the test writes telegrams into the other.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createSerialTransport } from '../../../src/providers/p1/transports/serial.js';
import type { TelegramTransport } from '../../../src/providers/p1/transports/types.js';
import { writeTelegram } from '../../../src/providers/p1/writeTelegram.js';
import { createPrng } from '../../../src/simulator/prng.js';
import { randomTelegram } from '../../unit/p1/randomTelegram.js';
import { collector } from './helpers.js';

const hasSocat = spawnSync('socat', ['-V']).status === 0;
let socat: ChildProcess | null = null;
let transport: TelegramTransport | null = null;

afterEach(async () => {
  await transport?.stop();
  transport = null;
  socat?.kill('SIGTERM');
  socat = null;
});

/** Starts socat and returns the two pty paths it reports on stderr. */
async function ptyPair(): Promise<[string, string]> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  socat = child;
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat gave no ptys: ${err}`)), 5000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const paths = [...err.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string);
      if (paths.length === 2 && /starting data transfer loop/.test(err)) {
        clearTimeout(timer);
        resolve([paths[0] as string, paths[1] as string]);
      }
    });
  });
}

describe.skipIf(!hasSocat)('serial transport', () => {
  it('reads telegrams written byte by byte into the other end of a pty pair', async () => {
    const [meterSide, readerSide] = await ptyPair();
    const c = collector();
    transport = createSerialTransport({ path: readerSide });
    transport.start(c.onTelegram, c.onError);
    const prng = createPrng(31);
    const telegrams = Array.from({ length: 3 }, () => randomTelegram(prng));
    const out = fs.openSync(meterSide, 'w');
    try {
      // Keep writing until the port is open on the other side (opening is asynchronous).
      for (let round = 0; round < 50 && c.got.length === 0; round++) {
        fs.writeSync(out, Buffer.from(writeTelegram(telegrams[0]!), 'latin1'));
        await c.waitFor(() => c.got.length > 0, 'first telegram', 200).catch(() => {});
      }
      const before = c.got.length;
      const text = writeTelegram(telegrams[1]!) + writeTelegram(telegrams[2]!).replace('!', '#');
      for (let i = 0; i < text.length; i += 17)
        fs.writeSync(out, Buffer.from(text.slice(i, i + 17), 'latin1'));
      fs.writeSync(out, Buffer.from(writeTelegram(telegrams[0]!), 'latin1'));
      await c.waitFor(() => c.got.length >= before + 3, 'the next telegrams');
    } finally {
      fs.closeSync(out);
    }
    const tail = c.got
      .slice(-3)
      .map((g) => (g.result.ok ? g.result.telegram.equipmentId : g.result.reason));
    // The telegram whose '!' was damaged never ends: it is handed on as a rejected fragment.
    expect(tail).toEqual([telegrams[1]?.equipmentId, 'no_end', telegrams[0]?.equipmentId]);
    expect(c.errors).toEqual([]);
  });

  it('a device that does not exist is reported and retried', async () => {
    const c = collector();
    transport = createSerialTransport({
      path: '/dev/does-not-exist-p1',
      initialRetryMs: 50,
      maxRetryMs: 100,
    });
    transport.start(c.onTelegram, c.onError);
    await c.waitFor(() => c.errors.length >= 2, 'two failed opens');
    expect(c.errors[0]?.message).toMatch(/serial \/dev\/does-not-exist-p1: .*retrying/);
  });
});
