/**
 * Configuration: file + environment + flags, validated once.
 * Precedence: flags > environment > config file > defaults (resolveConfig is the only place
 * that applies it). The file is untrusted input: parseConfig reports every problem at once.
 * Secrets (client secrets, IOT_ENCRYPTION_KEY, DATABASE_URL) come from the environment only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './domain/errors.js';
import { PROVIDERS, type ProviderName } from './providers/names.js';
import type { AnyProviderFields, ProviderSettings, SettingsOf } from './providers/types.js';
import { defaultProviderSettings } from './providers/settings.js';
import { Validator, isValidTimeZone } from './configValidate.js';

export const DEFAULT_TIME_ZONE = 'Europe/Brussels';

export type Language = 'fr' | 'en';
export type AnomalyMethod = 'profile' | 'moving-average';

export interface AlertRule {
  metric_type: string;
  condition: 'above_baseline' | 'night_baseload';
  threshold_type: 'percent';
  threshold_percent: number;
  severity: 'minor' | 'major' | 'critical';
  channels: string[];
}

export type ChannelConfig =
  | { type: 'log' }
  | { type: 'webhook'; url: string; secretEnv?: string; timeoutMs: number }
  | {
      type: 'email';
      host: string;
      port: number;
      secure: boolean;
      user?: string;
      passwordEnv?: string;
      from: string;
      to: string[];
    };

export type ProviderConfig = ProviderSettings & {
  /** Where the provider sends the browser back: a relay page (Enedis production) or unset (loopback). */
  redirectUri?: string;
};

export interface Config {
  /** The config file read, if any. */
  configFile: string | null;
  database: { url: string | null; dataDir: string };
  defaults: { building: string | null; timeZone: string };
  storage: { compressAfterDays: number; retentionDays: number };
  providers: { [N in ProviderName]: SettingsOf<N> & { redirectUri?: string } };
  sync: {
    overlapDays: number;
    concurrency: number;
    retries: number;
    leaseSeconds: number;
    schedule: { time: string; timeZone: string; jitterSeconds: number };
    production: boolean;
  };
  anomalies: { method: AnomalyMethod; thresholdPercent: number; days: number };
  alerts: { language: Language; rules: AlertRule[] };
  notifications: { channels: Record<string, ChannelConfig> };
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

/** The environment variables the tool reads, for --help. */
export const ENV_HELP: ReadonlyArray<[string, string]> = [
  ['DATABASE_URL', 'PostgreSQL server URL (default: embedded database)'],
  ['IOT_ENCRYPTION_KEY', '64 hex characters: key that seals provider tokens at rest'],
  ['IOT_ENCRYPTION_KEY_PREVIOUS', 'comma list of older keys still accepted to open tokens'],
  ['IOT_ENCRYPTION_KEY_NEW', 'new key for `keys rotate` (or --new-key-env NAME)'],
  ['KOPROGO_IOT_CONFIG', 'config file path'],
  ['KOPROGO_IOT_DATA_DIR', 'embedded database directory'],
  ['KOPROGO_IOT_BUILDING', 'default building (name or id)'],
  ['KOPROGO_IOT_TIMEZONE', 'default time zone of new buildings'],
  ['KOPROGO_IOT_ENEDIS_BASE_URL', 'host serving every Enedis path (sandbox, simulator)'],
  ['KOPROGO_IOT_ORES_BASE_URL', 'host serving every ORES path'],
  ['KOPROGO_IOT_ENEDIS_CLIENT_ID / _CLIENT_SECRET', 'Enedis application credentials'],
  ['KOPROGO_IOT_ORES_CLIENT_ID / _CLIENT_SECRET', 'ORES application credentials'],
  ['KOPROGO_IOT_LANGUAGE', 'alert language: fr (default) or en'],
  ['NO_COLOR', 'disable colours'],
  ['DEBUG', 'set to 1 to print stacks of unexpected errors'],
];

export function defaultDataDir(env: Env): string {
  const base = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(base, 'koprogo-iot');
}

/** Which config file to read: --config, KOPROGO_IOT_CONFIG, ./koprogo-iot.config.json, XDG. */
export function locateConfigFile(
  flags: GlobalFlags,
  env: Env,
  cwd: string,
): { file: string; explicit: boolean } | null {
  const explicit = flags.config ?? env.KOPROGO_IOT_CONFIG;
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
    throw new ConfigError(
      `cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        hint: 'check the path given to --config, or run `koprogo-iot init`',
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * Replaces "${VAR}" in string values by the environment's value. An unset variable gives an
 * empty value, which counts as "not set" (so "url": "${DATABASE_URL}" means: the server when
 * DATABASE_URL is set, else the embedded database).
 */
function expandEnv(raw: unknown, env: Env, v: Validator, at = ''): unknown {
  if (typeof raw === 'string') {
    return raw.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, name: string) => env[name] ?? '');
  }
  if (Array.isArray(raw)) return raw.map((x, i) => expandEnv(x, env, v, `${at}[${i}]`));
  if (raw && typeof raw === 'object') {
    return Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).map(([k, x]) => [
        k,
        k.startsWith('$') ? x : expandEnv(x, env, v, at ? `${at}.${k}` : k),
      ]),
    );
  }
  return raw;
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
  let raw: unknown = opts.file;
  let configFile: string | null = null;
  if (raw === undefined) {
    const loc = locateConfigFile(flags, env, cwd);
    if (loc) {
      if (!fs.existsSync(loc.file) && loc.explicit)
        throw new ConfigError(`config file ${loc.file} does not exist`, {
          hint: 'run `koprogo-iot init` to write one',
        });
      raw = readConfigFile(loc.file);
      configFile = loc.file;
    }
  }
  return resolveConfig(raw ?? {}, env, flags, configFile);
}

export function resolveConfig(
  rawIn: unknown,
  env: Env,
  flags: GlobalFlags,
  configFile: string | null,
): Config {
  // An empty variable (`DATABASE_URL=`) counts as not set, as shells and unit files mean it.
  env = Object.fromEntries(Object.entries(env).filter(([, x]) => x !== undefined && x !== ''));
  const v = new Validator(configFile ?? 'configuration');
  if (rawIn === null || typeof rawIn !== 'object' || Array.isArray(rawIn)) {
    throw new ConfigError(`${configFile ?? 'configuration'}: the top level must be a JSON object`);
  }
  const raw = expandEnv(rawIn, env, v) as Record<string, unknown>;
  v.onlyKeys(raw, '', [
    '$schema',
    'database',
    'defaults',
    'storage',
    'providers',
    'sync',
    'anomalies',
    'alerts',
    'notifications',
  ]);

  const db = v.obj(raw, 'database');
  v.onlyKeys(db, 'database', ['url', 'dataDir']);
  const rawDbUrl = ((rawIn as Record<string, Record<string, unknown> | undefined>).database ?? {})
    .url;
  if (typeof rawDbUrl === 'string' && !/^\$\{[A-Z0-9_]+\}$/.test(rawDbUrl))
    v.problem(
      'database.url',
      'holds a secret: set DATABASE_URL in the environment, or write "${DATABASE_URL}"',
    );
  const fileUrl = typeof db.url === 'string' && db.url ? db.url : null;
  const databaseUrl = flags.databaseUrl ?? env.DATABASE_URL ?? fileUrl;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    v.problem('database url', 'must start with postgres:// or postgresql://');
  const dataDir =
    flags.dataDir ??
    env.KOPROGO_IOT_DATA_DIR ??
    v.str(db, 'database.dataDir', 'dataDir', null) ??
    defaultDataDir(env);

  const defaults = v.obj(raw, 'defaults');
  v.onlyKeys(defaults, 'defaults', ['building', 'timeZone']);
  const timeZone =
    env.KOPROGO_IOT_TIMEZONE ??
    v.str(defaults, 'defaults.timeZone', 'timeZone', DEFAULT_TIME_ZONE) ??
    DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone))
    v.problem('defaults.timeZone', `"${timeZone}" is not an IANA time zone (e.g. Europe/Brussels)`);
  const building =
    env.KOPROGO_IOT_BUILDING ?? v.str(defaults, 'defaults.building', 'building', null);

  const storage = v.obj(raw, 'storage');
  v.onlyKeys(storage, 'storage', ['compressAfterDays', 'retentionDays']);
  const compressAfterDays = v.int(
    storage,
    'storage.compressAfterDays',
    'compressAfterDays',
    7,
    0,
    3650,
  );
  const retentionDays = v.int(storage, 'storage.retentionDays', 'retentionDays', 730, 0, 36500);

  const providersRaw = v.obj(raw, 'providers');
  v.onlyKeys(providersRaw, 'providers', [...PROVIDERS]);
  const providers = {} as Record<ProviderName, ProviderConfig>; // each parsed for its own name
  for (const name of PROVIDERS)
    providers[name] = parseProvider(name, v.obj(providersRaw, `providers.${name}`), env, v);
  const providerConfigs = providers as Config['providers'];

  const sync = v.obj(raw, 'sync');
  v.onlyKeys(sync, 'sync', [
    'overlapDays',
    'concurrency',
    'retries',
    'leaseSeconds',
    'schedule',
    'production',
  ]);
  const schedule = v.obj(sync, 'sync.schedule');
  v.onlyKeys(schedule, 'sync.schedule', ['time', 'timeZone', 'jitterSeconds']);
  const time = v.str(schedule, 'sync.schedule.time', 'time', '02:00') ?? '02:00';
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time))
    v.problem('sync.schedule.time', `"${time}" must be HH:MM (24 h)`);
  const scheduleZone =
    v.str(schedule, 'sync.schedule.timeZone', 'timeZone', DEFAULT_TIME_ZONE) ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(scheduleZone))
    v.problem('sync.schedule.timeZone', `"${scheduleZone}" is not an IANA time zone`);

  const anomalies = v.obj(raw, 'anomalies');
  v.onlyKeys(anomalies, 'anomalies', ['method', 'thresholdPercent', 'days']);
  const method = v.oneOf(
    anomalies,
    'anomalies.method',
    'method',
    ['profile', 'moving-average'] as const,
    'profile',
  );

  const alerts = v.obj(raw, 'alerts');
  v.onlyKeys(alerts, 'alerts', ['language', 'rules']);
  const language =
    (env.KOPROGO_IOT_LANGUAGE as Language | undefined) ??
    v.oneOf(alerts, 'alerts.language', 'language', ['fr', 'en'] as const, 'fr');
  if (language !== 'fr' && language !== 'en') v.problem('KOPROGO_IOT_LANGUAGE', 'must be fr or en');

  const notifications = v.obj(raw, 'notifications');
  v.onlyKeys(notifications, 'notifications', ['channels']);
  const channels = parseChannels(v.obj(notifications, 'notifications.channels'), v);
  const rules = parseRules(alerts.rules, v, channels);

  const encryptionKey = env.IOT_ENCRYPTION_KEY ?? null;
  const syncOut = {
    overlapDays: v.int(sync, 'sync.overlapDays', 'overlapDays', 3, 0, 60),
    concurrency: v.int(sync, 'sync.concurrency', 'concurrency', 8, 1, 64),
    retries: v.int(sync, 'sync.retries', 'retries', 3, 0, 10),
    leaseSeconds: v.int(sync, 'sync.leaseSeconds', 'leaseSeconds', 900, 30, 86400),
    schedule: {
      time,
      timeZone: scheduleZone,
      jitterSeconds: v.int(schedule, 'sync.schedule.jitterSeconds', 'jitterSeconds', 300, 0, 3600),
    },
    production: v.bool(sync, 'sync.production', 'production', false),
  };
  const anomaliesOut = {
    method,
    thresholdPercent: v.num(
      anomalies,
      'anomalies.thresholdPercent',
      'thresholdPercent',
      120,
      101,
      10000,
    ),
    days: v.int(anomalies, 'anomalies.days', 'days', 30, 1, 730),
  };
  v.throwIfProblems();
  return {
    configFile,
    database: { url: databaseUrl ?? null, dataDir: path.resolve(dataDir) },
    defaults: { building, timeZone },
    storage: { compressAfterDays, retentionDays },
    providers: providerConfigs,
    sync: syncOut,
    anomalies: anomaliesOut,
    alerts: { language, rules },
    notifications: { channels },
    encryptionKey,
    output: { json: !!flags.json, quiet: !!flags.quiet, verbose: !!flags.verbose },
  };
}

const PROVIDER_KEYS = [
  'apiVersion',
  'consentVersion',
  'baseUrl',
  'authorizeUrl',
  'tokenUrl',
  'subscribedServicesUrl',
  'consumptionLoadCurveUrl',
  'productionLoadCurveUrl',
  'dailyConsumptionUrl',
  'revokeUrl',
  'clientId',
  'redirectUri',
  'consentDuration',
  'maxDaysPerCall',
  'historyDays',
  'timeZone',
  'rateLimit',
  'timeoutMs',
];

function parseProvider(
  name: ProviderName,
  p: Record<string, unknown>,
  env: Env,
  v: Validator,
): ProviderConfig {
  const at = `providers.${name}`;
  if ('clientSecret' in p)
    v.problem(
      `${at}.clientSecret`,
      `is a secret: set KOPROGO_IOT_${name.toUpperCase()}_CLIENT_SECRET in the environment instead`,
    );
  v.onlyKeys(p, at, [...PROVIDER_KEYS, 'clientSecret']);
  const apiVersion =
    name === 'enedis'
      ? v.oneOf(p, `${at}.apiVersion`, 'apiVersion', ['2026', 'v5'] as const, '2026')
      : undefined;
  const consentVersion =
    name === 'enedis'
      ? v.oneOf(p, `${at}.consentVersion`, 'consentVersion', ['v2', 'v1'] as const, 'v2')
      : undefined;
  const d = defaultProviderSettings(name, { apiVersion }) as AnyProviderFields;
  const url = (key: string, fallback: string | undefined) => {
    const s = v.str(p, `${at}.${key}`, key, fallback ?? null);
    if (s && !/^https?:\/\//.test(s)) v.problem(`${at}.${key}`, `"${s}" must be an http(s) URL`);
    return s ?? undefined;
  };
  const envBase = env[`KOPROGO_IOT_${name.toUpperCase()}_BASE_URL`];
  const baseUrl = envBase ?? v.str(p, `${at}.baseUrl`, 'baseUrl', null) ?? undefined;
  if (baseUrl && !/^https?:\/\//.test(baseUrl))
    v.problem(`${at}.baseUrl`, `"${baseUrl}" must be an http(s) URL`);
  const rate = v.obj(p, `${at}.rateLimit`);
  v.onlyKeys(rate, `${at}.rateLimit`, ['perSecond', 'perHour', 'perDeviceIntervalMs']);
  const rl = d.rateLimit;
  const settings = {
    name,
    baseUrl,
    authorizeUrl: url('authorizeUrl', d.authorizeUrl) as string,
    tokenUrl: url('tokenUrl', d.tokenUrl) as string,
    subscribedServicesUrl: url('subscribedServicesUrl', d.subscribedServicesUrl),
    consumptionLoadCurveUrl: url('consumptionLoadCurveUrl', d.consumptionLoadCurveUrl) as string,
    productionLoadCurveUrl: url('productionLoadCurveUrl', d.productionLoadCurveUrl) as string,
    dailyConsumptionUrl: url('dailyConsumptionUrl', d.dailyConsumptionUrl),
    revokeUrl: url('revokeUrl', d.revokeUrl),
    clientId:
      env[`KOPROGO_IOT_${name.toUpperCase()}_CLIENT_ID`] ??
      v.str(p, `${at}.clientId`, 'clientId', null) ??
      '',
    clientSecret: env[`KOPROGO_IOT_${name.toUpperCase()}_CLIENT_SECRET`],
    consentDuration:
      v.str(p, `${at}.consentDuration`, 'consentDuration', d.consentDuration ?? null) ?? undefined,
    maxDaysPerCall: v.int(p, `${at}.maxDaysPerCall`, 'maxDaysPerCall', d.maxDaysPerCall, 1, 31),
    historyDays: v.int(p, `${at}.historyDays`, 'historyDays', d.historyDays, 1, 3650),
    timeZone: v.str(p, `${at}.timeZone`, 'timeZone', d.timeZone) ?? d.timeZone,
    rateLimit: {
      perSecond: v.optNum(
        rate,
        `${at}.rateLimit.perSecond`,
        'perSecond',
        rl.perSecond,
        0.01,
        10000,
      ),
      perHour: v.optNum(rate, `${at}.rateLimit.perHour`, 'perHour', rl.perHour, 1, 10_000_000),
      perDeviceIntervalMs: v.optNum(
        rate,
        `${at}.rateLimit.perDeviceIntervalMs`,
        'perDeviceIntervalMs',
        rl.perDeviceIntervalMs,
        0,
        3_600_000,
      ),
    },
    timeoutMs: v.int(p, `${at}.timeoutMs`, 'timeoutMs', d.timeoutMs, 100, 600_000),
    redirectUri: url('redirectUri', undefined),
  } as ProviderConfig & AnyProviderFields;
  if (apiVersion) settings.apiVersion = apiVersion;
  if (consentVersion) settings.consentVersion = consentVersion;
  if (settings.consentDuration && !/^P([1-3]Y|\d{1,2}M|\d{1,4}D)$/.test(settings.consentDuration))
    v.problem(
      `${at}.consentDuration`,
      `"${settings.consentDuration}" must be an ISO 8601 duration of at most P3Y (e.g. P1Y)`,
    );
  if (!isValidTimeZone(settings.timeZone))
    v.problem(`${at}.timeZone`, `"${settings.timeZone}" is not an IANA time zone`);
  return settings;
}

function parseChannels(raw: Record<string, unknown>, v: Validator): Record<string, ChannelConfig> {
  const out: Record<string, ChannelConfig> = { log: { type: 'log' } };
  for (const [name, c] of Object.entries(raw)) {
    const at = `notifications.channels.${name}`;
    const o = v.obj(raw, at, name);
    const type = v.oneOf(o, `${at}.type`, 'type', ['log', 'webhook', 'email'] as const, 'log');
    if (c === null || typeof c !== 'object') continue;
    if (type === 'log') out[name] = { type: 'log' };
    else if (type === 'webhook') {
      v.onlyKeys(o, at, ['type', 'url', 'secretEnv', 'timeoutMs']);
      const url = v.str(o, `${at}.url`, 'url', null);
      if (!url || !/^https?:\/\//.test(url)) v.problem(`${at}.url`, 'must be an http(s) URL');
      out[name] = {
        type,
        url: url ?? '',
        secretEnv: v.str(o, `${at}.secretEnv`, 'secretEnv', null) ?? undefined,
        timeoutMs: v.int(o, `${at}.timeoutMs`, 'timeoutMs', 10_000, 100, 120_000),
      };
    } else {
      v.onlyKeys(o, at, ['type', 'host', 'port', 'secure', 'user', 'passwordEnv', 'from', 'to']);
      const to = Array.isArray(o.to) ? o.to.filter((x): x is string => typeof x === 'string') : [];
      if (to.length === 0) v.problem(`${at}.to`, 'must list at least one address');
      out[name] = {
        type,
        host: v.str(o, `${at}.host`, 'host', null) ?? (v.problem(`${at}.host`, 'is required'), ''),
        port: v.int(o, `${at}.port`, 'port', 587, 1, 65535),
        secure: v.bool(o, `${at}.secure`, 'secure', false),
        user: v.str(o, `${at}.user`, 'user', null) ?? undefined,
        passwordEnv: v.str(o, `${at}.passwordEnv`, 'passwordEnv', null) ?? undefined,
        from: v.str(o, `${at}.from`, 'from', 'koprogo-iot@localhost') ?? 'koprogo-iot@localhost',
        to,
      };
    }
  }
  return out;
}

function parseRules(
  raw: unknown,
  v: Validator,
  channels: Record<string, ChannelConfig>,
): AlertRule[] {
  if (raw === undefined) {
    return [
      {
        metric_type: 'electricity_consumption',
        condition: 'above_baseline',
        threshold_type: 'percent',
        threshold_percent: 150,
        severity: 'major',
        channels: ['log'],
      },
    ];
  }
  if (!Array.isArray(raw)) {
    v.problem('alerts.rules', 'must be an array of rules');
    return [];
  }
  return raw.map((r, i) => {
    const at = `alerts.rules[${i}]`;
    const o = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    v.onlyKeys(o, at, [
      'metric_type',
      'condition',
      'threshold_type',
      'threshold_percent',
      'severity',
      'channels',
    ]);
    const chans = Array.isArray(o.channels)
      ? o.channels.filter((c): c is string => typeof c === 'string')
      : ['log'];
    for (const c of chans)
      if (!channels[c])
        v.problem(`${at}.channels`, `names "${c}", which is not in notifications.channels`);
    return {
      metric_type:
        v.str(o, `${at}.metric_type`, 'metric_type', 'electricity_consumption') ??
        'electricity_consumption',
      condition: v.oneOf(
        o,
        `${at}.condition`,
        'condition',
        ['above_baseline', 'night_baseload'] as const,
        'above_baseline',
      ),
      threshold_type: v.oneOf(
        o,
        `${at}.threshold_type`,
        'threshold_type',
        ['percent'] as const,
        'percent',
      ),
      threshold_percent: v.num(o, `${at}.threshold_percent`, 'threshold_percent', 150, 101, 10000),
      severity: v.oneOf(
        o,
        `${at}.severity`,
        'severity',
        ['minor', 'major', 'critical'] as const,
        'major',
      ),
      channels: chans,
    };
  });
}
