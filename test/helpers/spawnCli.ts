/**
 * A CLI process the test talks to while it runs: wait for a line on stderr (a barrier, not a
 * sleep), signal it, collect its end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, type RunResult } from './cli.js';

export interface RunningCli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the stderr text once it matches (rejects after `ms`, or if it ends first). */
  waitForStderr(pattern: RegExp, ms?: number): Promise<string>;
  done: Promise<RunResult>;
}

export function spawnCli(
  args: string[],
  opts: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    /** The program and its first arguments (default: node and the binary). */
    argv0?: string[];
    /** Keep stdin open, to type into it. */
    stdinOpen?: boolean;
  } = {},
): RunningCli {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...opts.env }))
    if (v !== undefined) env[k] = v;
  const command = opts.argv0 ?? [process.execPath, BIN];
  const child = spawn(command[0]!, [...command.slice(1), ...args], {
    env,
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (!opts.stdinOpen) child.stdin!.end();
  const done = new Promise<RunResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
  const waitForStderr = (pattern: RegExp, ms = 60_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (pattern.test(err)) {
          cleanup();
          resolve(err);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern}; stderr so far:\n${err}`));
      }, ms);
      const ended = () => {
        cleanup();
        if (pattern.test(err)) resolve(err);
        else reject(new Error(`ended before ${pattern}; stderr:\n${err}\nstdout:\n${out}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        child.off('close', ended);
      };
      child.stderr!.on('data', check);
      child.on('close', ended);
      check();
    });
  return { child, stdout: () => out, stderr: () => err, waitForStderr, done };
}

/** Links a meter with `link --no-browser`, giving the consent like a browser would. */
export async function linkThroughCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd?: string,
): Promise<RunResult> {
  const link = spawnCli(['link', '--no-browser', '--timeout', '60', ...args], { env, cwd });
  const text = await link.waitForStderr(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/);
  const url = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/.exec(text)![1]!;
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(20_000) });
  await res.text();
  return link.done;
}
