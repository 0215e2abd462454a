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
  if (!found) return resolveConfig(withLocaleLanguage({}, env), env, flags, null);
  if (!fs.existsSync(found.file) && found.explicit)
    throw new ConfigError(`config file ${found.file} does not exist`, {
      hint: 'run `koprogo-iot init` to write one',
    });
  // A file holding `null`, a list or a string is an error naming the file, not "no settings".
  return resolveConfig(withLocaleLanguage(readConfigFile(found.file), env), env, flags, found.file);
}

/**
 * The language of alert texts when neither the file (alerts.language) nor
 * KOPROGO_IOT_LANGUAGE says: the locale's (LC_ALL, LC_MESSAGES, LANG), French for fr_*,
 * English otherwise, so that a screen is in one language. Below the file in precedence.
 */
export function withLocaleLanguage(raw: unknown, env: Env): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const file = raw as Record<string, unknown>;
  const alerts = file.alerts ?? {};
  if (typeof alerts !== 'object' || alerts === null || Array.isArray(alerts)) return raw;
  if ((alerts as Record<string, unknown>).language !== undefined) return raw;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  const language = /^fr([_.@-]|$)/i.test(locale) ? 'fr' : 'en';
  return { ...file, alerts: { ...alerts, language } };
}
