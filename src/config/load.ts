/**
 * Finding and reading the config file. Its content is untrusted: resolveConfig checks it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../domain/errors.js';
import { resolveConfig, type Config, type Env, type GlobalFlags } from './resolve.js';

/** Which config file to read: --config, KOPROGO_IOT_CONFIG, ./koprogo-iot.config.json, XDG. */
export function locateConfigFile(
  flags: GlobalFlags,
  env: Env,
  cwd: string,
): { file: string; explicit: boolean } | null {
  const explicit = flags.config || env.KOPROGO_IOT_CONFIG;
  if (explicit) return { file: path.resolve(cwd, explicit), explicit: true };
  const local = path.join(cwd, 'koprogo-iot.config.json');
  if (fs.existsSync(local)) return { file: local, explicit: false };
  const xdg = path.join(
    env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config'),
    'koprogo-iot',
    'config.json',
  );
  if (fs.existsSync(xdg)) return { file: xdg, explicit: false };
  return null;
}

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${code}`, {
      hint: 'check the path given to --config, or run `koprogo-iot init`',
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export interface LoadOptions {
  flags?: GlobalFlags;
  env?: Env;
  cwd?: string;
  /** Parsed file content (tests); otherwise the located file is read. */
  file?: unknown;
}

/** Loads and validates the whole configuration; throws one ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  const cwd = opts.cwd ?? process.cwd();
  if (opts.file !== undefined) return resolveConfig(opts.file, env, flags, null);
  const found = locateConfigFile(flags, env, cwd);
  if (!found) return resolveConfig({}, env, flags, null);
  if (!fs.existsSync(found.file) && found.explicit)
    throw new ConfigError(`config file ${found.file} does not exist`, {
      hint: 'run `koprogo-iot init` to write one',
    });
  // A file holding `null`, a list or a string is an error naming the file, not "no settings".
  return resolveConfig(readConfigFile(found.file), env, flags, found.file);
}
