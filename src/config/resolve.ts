/**
 * From the file's raw content, the environment and the flags to one validated Config.
 * Precedence: flags > environment > config file > defaults, applied here and nowhere else:
 * the environment and flag values are laid over the file before the schema checks it, so a
 * bad value is reported under its key, with where it came from.
 */
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../domain/errors.js';
import { PULLED_PROVIDERS as PROVIDERS } from '../providers/names.js';
import { dataDirProblem } from './dataDir.js';
import { providerEnvVar, secretKeyProblem } from './providers.js';
import { configFileSchema, unknownRuleChannels, type ConfigFile } from './schema.js';

export interface Config extends Omit<ConfigFile, 'database'> {
  /** The config file read, if any. */
  configFile: string | null;
  database: { url: string | null; dataDir: string };
  encryptionKey: string | null;
  output: { json: boolean; quiet: boolean; verbose: boolean };
}

export interface GlobalFlags {
  config?: string;
  databaseUrl?: string;
  dataDir?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export type Env = Record<string, string | undefined>;

export function defaultDataDir(env: Env): string {
  const base = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(base, 'koprogo-iot');
}

type Path = readonly PropertyKey[];

/** "alerts.rules[0].channels" */
export function keyPath(at: Path): string {
  return at
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

/**
 * Replaces "${VAR}" in string values by the environment's value. An unset variable gives an
 * empty value, which counts as "not set" (so "url": "${DATABASE_URL}" means: the server when
 * DATABASE_URL is set, else the embedded database).
 */
function expandEnv(raw: unknown, env: Env): unknown {
  if (typeof raw === 'string')
    return raw.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => env[name] ?? '');
  if (Array.isArray(raw)) return raw.map((x) => expandEnv(x, env));
  if (raw && typeof raw === 'object')
    return Object.fromEntries(
      Object.entries(raw).map(([k, x]) => [k, k.startsWith('$') ? x : expandEnv(x, env)]),
    );
  return raw;
}

/** The environment variables and flags that set a file key, highest precedence first. */
function overrides(env: Env, flags: GlobalFlags): [string[], string, string | undefined][] {
  const list: [string[], string, string | undefined][] = [
    [['database', 'url'], '--database-url', flags.databaseUrl],
    [['database', 'url'], 'DATABASE_URL', env.DATABASE_URL],
    [['database', 'dataDir'], '--data-dir', flags.dataDir],
    [['database', 'dataDir'], 'KOPROGO_IOT_DATA_DIR', env.KOPROGO_IOT_DATA_DIR],
    [['defaults', 'timeZone'], 'KOPROGO_IOT_TIMEZONE', env.KOPROGO_IOT_TIMEZONE],
    [['defaults', 'building'], 'KOPROGO_IOT_BUILDING', env.KOPROGO_IOT_BUILDING],
    [['alerts', 'language'], 'KOPROGO_IOT_LANGUAGE', env.KOPROGO_IOT_LANGUAGE],
  ];
  for (const name of PROVIDERS) {
    const base = providerEnvVar(name, 'BASE_URL');
    const id = providerEnvVar(name, 'CLIENT_ID');
    list.push([['providers', name, 'baseUrl'], base, env[base]]);
    list.push([['providers', name, 'clientId'], id, env[id]]);
  }
  return list;
}

/** Lays each set override over the file; returns which key came from where. */
function applyOverrides(raw: Record<string, unknown>, env: Env, flags: GlobalFlags) {
  const sources = new Map<string, string>();
  for (const [at, source, value] of overrides(env, flags)) {
    const key = keyPath(at);
    if (value === undefined || value === '' || sources.has(key)) continue;
    let node: Record<string, unknown> = raw;
    for (const k of at.slice(0, -1)) {
      const next = node[k] ?? {};
      // A section that is not an object is reported by the schema; nothing to lay over.
      if (typeof next !== 'object' || Array.isArray(next)) break;
      node = node[k] = { ...(next as Record<string, unknown>) };
    }
    node[at[at.length - 1] as string] = value;
    sources.set(key, source);
  }
  return sources;
}

/** One line per problem: "key what", one per unknown key. */
function problemLines(issues: z.core.$ZodIssue[], sources: Map<string, string>): string[] {
  const named = (at: Path) => {
    const key = keyPath(at);
    const from = sources.get(key);
    return from ? `${key} (from ${from})` : key;
  };
  return issues.flatMap((iss) =>
    iss.code === 'unrecognized_keys'
      ? iss.keys.map(
          (k) => `${named([...iss.path, k])} ${secretKeyProblem(iss.path, k) ?? iss.message}`,
        )
      : [`${named(iss.path)} ${iss.message}`],
  );
}

/** A file `database.url` must name the variable: a URL written there would hold its password. */
function databaseUrlInFile(rawIn: Record<string, unknown>): string[] {
  const url = (rawIn.database as Record<string, unknown> | undefined)?.url;
  return typeof url === 'string' && !/^\$\{[A-Z0-9_]+\}$/.test(url)
    ? [
        'database.url holds a secret: set DATABASE_URL in the environment, or write "${DATABASE_URL}"',
      ]
    : [];
}

/**
 * The embedded database's directory, checked from the merged raw values so its problem is
 * listed with the others. Not checked when a server URL is set: it is not used then.
 */
function checkDataDir(raw: Record<string, unknown>, env: Env, sources: Map<string, string>) {
  const db = (raw.database ?? {}) as Record<string, unknown>;
  const given = typeof db.dataDir === 'string' && db.dataDir !== '' ? db.dataDir : null;
  const dir = path.resolve(given ?? defaultDataDir(env));
  const serverUrl = typeof db.url === 'string' && db.url !== '';
  const what = serverUrl ? null : dataDirProblem(dir, given !== null);
  const from = sources.get('database.dataDir');
  return {
    path: dir,
    problem: what && `database.dataDir${from ? ` (from ${from})` : ''} ${what}`,
  };
}

function problemHint(count: number, dataDir: boolean): string {
  const fix = 'fix them (see koprogo-iot.config.example.json for every key)';
  if (!dataDir) return fix;
  const dir =
    'give --data-dir (or KOPROGO_IOT_DATA_DIR) a directory you can write, or leave it unset for the default';
  return count > 1 ? `${fix}; ${dir}` : dir;
}

export function resolveConfig(
  rawIn: unknown,
  envIn: Env,
  flags: GlobalFlags,
  configFile: string | null,
): Config {
  const source = configFile ?? 'configuration';
  if (rawIn === null || typeof rawIn !== 'object' || Array.isArray(rawIn))
    throw new ConfigError(`${source}: the top level must be a JSON object`, {
      hint: 'write the settings as { "key": value, ... } (see koprogo-iot.config.example.json)',
    });
  // An empty variable (`DATABASE_URL=`) counts as not set, as shells and unit files mean it.
  const env = Object.fromEntries(
    Object.entries(envIn).filter(([, x]) => x !== undefined && x !== ''),
  );
  const raw = expandEnv(rawIn, env) as Record<string, unknown>;
  const sources = applyOverrides(raw, env, flags);
  const parsed = configFileSchema.safeParse(raw);
  const problems = [
    ...databaseUrlInFile(rawIn as Record<string, unknown>),
    ...(parsed.success ? [] : problemLines(parsed.error.issues, sources)),
    ...unknownRuleChannels(raw).map((p) => `${keyPath(p.path)} ${p.message}`),
  ];
  const dir = checkDataDir(raw, env, sources);
  if (dir.problem) problems.push(dir.problem);
  const file = parsed.success ? parsed.data : null;
  if (problems.length > 0 || !file) {
    throw new ConfigError(
      `${source} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { hint: problemHint(problems.length, dir.problem !== null) },
    );
  }
  for (const name of PROVIDERS)
    file.providers[name].clientSecret = env[providerEnvVar(name, 'CLIENT_SECRET')];
  return {
    ...file,
    configFile,
    database: { url: file.database.url ?? null, dataDir: dir.path },
    encryptionKey: env.IOT_ENCRYPTION_KEY ?? null,
    output: { json: !!flags.json, quiet: !!flags.quiet, verbose: !!flags.verbose },
  };
}
