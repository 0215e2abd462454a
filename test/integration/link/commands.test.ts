/**
 * The link, devices, unlink and keys commands run in-process as a user runs them, on an
 * embedded database in a temporary data directory, against the simulator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../../../src/cli.js';
import { makeDevicesCommand } from '../../../src/commands/devices.js';
import { makeKeysCommand } from '../../../src/commands/keys.js';
import { makeLinkCommand } from '../../../src/commands/link.js';
import { makeUnlinkCommand } from '../../../src/commands/unlink.js';
import { setStreams } from '../../../src/commands/context.js';
import { EXIT } from '../../../src/domain/errors.js';
import { buildProgram } from '../../../src/program.js';
import type { Simulator } from '../../../src/simulator/server.js';
import { followRedirects, KEY_A, KEY_B, simEnv, startTestSimulator } from './helpers.js';

let sim: Simulator;
let dataDir: string;
const savedEnv = { ...process.env };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

function program(): Command {
  const p = buildProgram();
  for (const make of [makeLinkCommand, makeDevicesCommand, makeUnlinkCommand, makeKeysCommand]) {
    const cmd = make();
    if (p.commands.some((c) => c.name() === cmd.name())) continue;
    const harden = (c: Command): void => {
      c.exitOverride();
      c.commands.forEach(harden);
    };
    harden(cmd);
    p.addCommand(cmd);
  }
  return p;
}

/** Runs the program; `during` gets the stderr text so far while the command runs. */
async function run(args: string[], during?: (stderr: () => string) => Promise<void>): Promise<Run> {
  const out = capture();
  const err = capture();
  setStreams({ stdout: out.stream, stderr: err.stream });
  let code = EXIT.OK as number;
  try {
    const parsing = program().parseAsync(['--data-dir', dataDir, ...args], { from: 'user' });
    const watching = during ? during(err.text) : Promise.resolve();
    const [parsed] = await Promise.allSettled([parsing, watching]);
    await watching;
    if (parsed.status === 'rejected') code = reportError(parsed.reason, err.stream, false);
  } finally {
    setStreams(null);
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

/** Waits (at most 10 s) for the consent address printed on stderr. */
async function printedUrl(stderr: () => string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/.exec(stderr());
    if (m?.[1]) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no consent address printed; stderr: ${stderr()}`);
}

beforeAll(async () => {
  sim = await startTestSimulator();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'koprogo-iot-link-'));
  Object.assign(process.env, simEnv(sim));
  delete process.env.KOPROGO_IOT_CONFIG;
  delete process.env.DATABASE_URL;
  const added = await run(['buildings', 'add', 'Résidence Soleil']);
  expect(added.code).toBe(0);
});

afterAll(async () => {
  process.env = savedEnv;
  await sim?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('koprogo-iot link, devices, unlink, keys', () => {
  let prm = '';

  it('link --no-browser prints the consent address and then the linked meter, never a token', async () => {
    const r = await run(
      ['link', '--provider', 'ores', '--no-browser', '--timeout', '20'],
      async (stderr) => followRedirects(await printedUrl(stderr)),
    );
    expect(r.stderr).toContain('Open this address in a browser');
    expect(r.code).toBe(0);
    const m = /Linked meter (\d{18}) \(ORES\) to building "Résidence Soleil"/.exec(r.stdout);
    expect(m).not.toBeNull();
    prm = m![1]!;
    expect(r.stdout + r.stderr).not.toMatch(/access_token|refresh_token|v1\.[0-9a-f]{8}\./);
  });

  it('devices lists the meter with its building and status', async () => {
    const r = await run(['devices', '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { devices: Array<Record<string, unknown>> };
    expect(doc.devices).toHaveLength(1);
    expect(doc.devices[0]).toMatchObject({
      prm,
      provider: 'ores',
      building_name: 'Résidence Soleil',
      status: 'active',
    });
    expect(r.stdout).not.toContain('encrypted');
    const csv = await run(['devices', '--format', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'building_name,prm,provider,consent_expires_at,last_sync_at,last_sync_status,status,status_message,id,building_id',
    );
  });

  it('keys rotate re-seals under IOT_ENCRYPTION_KEY_NEW, then refuses to rotate to the same key', async () => {
    process.env.IOT_ENCRYPTION_KEY_NEW = KEY_B;
    const r = await run(['keys', 'rotate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Re-sealed the tokens of 1 of 1 devices/);
    expect(r.stderr).toContain('set IOT_ENCRYPTION_KEY to the value of IOT_ENCRYPTION_KEY_NEW');
    process.env.IOT_ENCRYPTION_KEY = KEY_B;
    const same = await run(['keys', 'rotate']);
    expect(same.code).toBe(EXIT.USAGE);
    expect(same.stderr).toContain('holds the same key as IOT_ENCRYPTION_KEY');
    delete process.env.IOT_ENCRYPTION_KEY_NEW;
  });

  it('keys rotate refuses a malformed new key with a config error', async () => {
    process.env.SOME_NEW_KEY = 'not-a-key';
    const r = await run(['keys', 'rotate', '--new-key-env', 'SOME_NEW_KEY']);
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.stderr).toContain('SOME_NEW_KEY must be 64 hexadecimal characters');
    expect(r.stderr).not.toContain('not-a-key');
  });

  it('keys generate prints a fresh 64-hex key', async () => {
    const a = await run(['keys', 'generate']);
    const b = await run(['keys', 'generate']);
    expect(a.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('unlink without a terminal and without --yes refuses and changes nothing', async () => {
    const r = await run(['unlink', prm]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('pass --yes');
    const list = JSON.parse((await run(['devices', '--json'])).stdout) as { devices: unknown[] };
    expect(list.devices).toHaveLength(1);
  });

  it('unlink --yes revokes with the rotated key and removes the meter', async () => {
    expect(process.env.IOT_ENCRYPTION_KEY).toBe(KEY_B);
    const r = await run(['unlink', prm, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Unlinked meter ${prm}`);
    expect(r.stdout).toContain('Access revoked at the provider.');
    expect(r.stdout).toContain('Its readings are kept');
    const list = JSON.parse((await run(['devices', '--json'])).stdout) as { devices: unknown[] };
    expect(list.devices).toHaveLength(0);
    process.env.IOT_ENCRYPTION_KEY = KEY_A;
  });
});
