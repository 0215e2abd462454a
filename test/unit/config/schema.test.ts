import { ANOMALY_KINDS } from '../../../src/analytics/anomalyTypes.js';
import { channelsFor } from '../../../src/notify/rules.js';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  ANOMALY_METHODS,
  configFileSchema,
  isValidThresholdPercent,
  LANGUAGES,
  resolveConfig,
  THRESHOLD_PERCENT,
} from '../../../src/config.js';
import { starterConfig } from '../../../src/config/starter.js';
import { ConfigError } from '../../../src/domain/errors.js';

const example = JSON.parse(fs.readFileSync('koprogo-iot.config.example.json', 'utf8')) as unknown;
const HOME = { HOME: '/home/manager' };

interface Def {
  type: string;
  in?: z.ZodType;
  out?: z.ZodType;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every key path the schema declares, or (with a value) the ones the value spells. Record
 * keys are "*", array elements "[]", so a channel's keys count whatever its name.
 */
function keyPaths(s: z.ZodType, value: unknown, at: string, out: Set<string>, all: boolean): void {
  const d = defOf(s);
  const isObj = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === 'object' && !Array.isArray(v);
  switch (d.type) {
    case 'pipe':
      for (const part of [d.in, d.out]) if (part) keyPaths(part, value, at, out, all);
      return;
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
      return keyPaths(d.innerType as z.ZodType, value, at, out, all);
    case 'union': {
      if (!all || d.discriminator) {
        for (const o of d.options ?? []) keyPaths(o, value, at, out, all);
        return;
      }
      // Alternative forms of one value (a carbon factor: yearly, monthly or hourly): the
      // example must spell the keys they share; each form's own keys are in docs/costs.md.
      const each = (d.options ?? []).map((o) => {
        const keys = new Set<string>();
        keyPaths(o, undefined, at, keys, true);
        return keys;
      });
      for (const k of each[0] ?? []) if (each.every((keys) => keys.has(k))) out.add(k);
      return;
    }
    case 'array':
      if (all) return keyPaths(d.element as z.ZodType, undefined, `${at}[]`, out, all);
      if (Array.isArray(value))
        for (const v of value) keyPaths(d.element as z.ZodType, v, `${at}[]`, out, all);
      return;
    case 'record':
      if (all) return keyPaths(d.valueType as z.ZodType, undefined, `${at}.*`, out, all);
      if (isObj(value))
        for (const v of Object.values(value))
          keyPaths(d.valueType as z.ZodType, v, `${at}.*`, out, all);
      return;
    case 'object':
      for (const [k, child] of Object.entries(d.shape ?? {})) {
        const path = at ? `${at}.${k}` : k;
        if (all || (isObj(value) && k in value)) {
          out.add(path);
          keyPaths(child, isObj(value) ? value[k] : undefined, path, out, all);
        }
      }
      return;
    default:
      return;
  }
}

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(3);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the example configuration', () => {
  it('validates against the schema', () => {
    // As read with no variable set: every "${VAR}" is empty, so its key takes the default.
    const unexpanded = fs.readFileSync('koprogo-iot.config.example.json', 'utf8');
    const r = configFileSchema.safeParse(JSON.parse(unexpanded.replace(/\$\{[A-Z0-9_]+\}/g, '')));
    expect(r.success ? [] : r.error.issues).toEqual([]);
    expect(() => resolveConfig(example, HOME, {}, 'example')).not.toThrow();
  });

  it('spells every key of the schema, so the two cannot drift', () => {
    const declared = new Set<string>();
    const spelled = new Set<string>();
    keyPaths(configFileSchema, undefined, '', declared, true);
    keyPaths(configFileSchema, example, '', spelled, false);
    expect(declared.size).toBeGreaterThan(60);
    expect([...declared].filter((k) => !spelled.has(k))).toEqual([]);
  });

  it('holds the defaults the schema applies when a key is left out', () => {
    const fromExample = resolveConfig(example, HOME, {}, 'example');
    const fromNothing = resolveConfig({}, HOME, {}, null);
    expect(fromNothing.anomalies).toEqual(fromExample.anomalies);
    expect(fromNothing.storage).toEqual(fromExample.storage);
    expect(fromNothing.sync).toEqual(fromExample.sync);
    expect(fromNothing.alerts.rules).toEqual(fromExample.alerts.rules);
    expect(fromNothing.providers).toEqual(fromExample.providers);
  });
});

describe('defaults', () => {
  it('fills every section from an empty file', () => {
    const c = resolveConfig({}, HOME, {}, null);
    expect(c.database).toEqual({ url: null, dataDir: '/home/manager/.local/share/koprogo-iot' });
    expect(c.defaults).toEqual({ building: null, timeZone: 'Europe/Brussels' });
    expect(c.sync).toEqual({
      overlapDays: 3,
      concurrency: 8,
      retries: 3,
      leaseSeconds: 900,
      schedule: {
        time: '02:00',
        timeZone: 'Europe/Brussels',
        jitterSeconds: 300,
        everyMinutes: null,
      },
      production: false,
    });
    expect(c.anomalies).toEqual({
      method: 'profile',
      thresholdPercent: 120,
      days: 30,
      persistenceMinutes: 90,
      minExcessWatts: 100,
      levelShiftAdoptWeeks: 3,
    });
    expect(c.alerts.rules.map((r) => r.condition)).toEqual([
      'above_baseline',
      'night_baseload',
      'level_shift',
    ]);
    expect(c.notifications.channels).toEqual({ log: { type: 'log' } });
    expect(c.providers.enedis).toMatchObject({
      name: 'enedis',
      apiVersion: '2026',
      tokenUrl: 'https://gw.ext.prod.api.enedis.fr/oauth2/v3/token',
      rateLimit: { perSecond: 5, perHour: 1000 },
      clientId: '',
    });
    expect(c.providers.ores).toMatchObject({
      name: 'ores',
      rateLimit: { perDeviceIntervalMs: 2000 },
    });
    expect(c.encryptionKey).toBeNull();
  });

  it('Enedis apiVersion v5 takes the legacy URLs and quota unless the file sets them', () => {
    const c = resolveConfig({ providers: { enedis: { apiVersion: 'v5' } } }, HOME, {}, null);
    expect(c.providers.enedis.consumptionLoadCurveUrl).toContain('/metering_data_clc/v5/');
    expect(c.providers.enedis.rateLimit.perHour).toBe(10_000);
  });

  it('two parsed configurations share no default object', () => {
    const a = resolveConfig({}, HOME, {}, null);
    a.alerts.rules[0]?.channels.push('changed');
    expect(resolveConfig({}, HOME, {}, null).alerts.rules[0]?.channels).toEqual(['log']);
  });

  it('the starter file init writes is valid and carries the schema defaults', () => {
    const s = starterConfig({ building: 'Les Tilleuls', timezone: 'Europe/Paris' });
    const c = resolveConfig(s, HOME, {}, 'starter');
    expect(c.defaults).toEqual({ building: 'Les Tilleuls', timeZone: 'Europe/Paris' });
    expect(c.sync.schedule.timeZone).toBe('Europe/Paris');
    expect(c.anomalies).toEqual(resolveConfig({}, HOME, {}, null).anomalies);
    expect(c.alerts.rules.map((r) => r.condition)).toEqual([
      'above_baseline',
      'night_baseload',
      'level_shift',
    ]);
    expect(JSON.stringify(s)).toContain('${KOPROGO_IOT_ORES_CLIENT_ID}');
    // Every kind the detector reports reaches a channel with the starter rules.
    for (const kind of ANOMALY_KINDS) {
      const a = { metricType: 'electricity_consumption', kind, value: 3, baseline: 1 };
      expect(
        channelsFor(c.alerts.rules, { ...a, variancePercent: 200, severity: 'critical' }),
      ).toEqual(['log']);
    }
  });

  it('lists the anomaly methods and languages once', () => {
    expect(ANOMALY_METHODS).toEqual(['profile', 'moving-average']);
    expect(LANGUAGES).toEqual(['fr', 'en']);
  });
});

describe('problems', () => {
  it('reports every problem at once, each under its key', () => {
    const msg = problemsOf(() =>
      resolveConfig(
        {
          typo: 1,
          defaults: { timeZone: 'Nowhere/City', $comment: 'documentation keys are allowed' },
          sync: { overlapDays: -1, schedule: { time: '25:00' } },
          storage: 'big',
          database: { url: 'postgres://u:hunter2pw@h/db' },
          anomalies: { method: 'magic', persistenceMinutes: 1.5 },
          alerts: { language: 'de', rules: [{ channels: ['pager'], severity: 'huge' }] },
          notifications: {
            channels: { hook: { type: 'webhook', url: 'ftp://x' }, m: { type: 'fax' } },
          },
        },
        HOME,
        {},
        '/etc/koprogo-iot.json',
      ),
    );
    expect(msg).toMatch(/^\/etc\/koprogo-iot\.json has 13 problem\(s\):\n/);
    for (const line of [
      '  - database.url holds a secret: set DATABASE_URL in the environment, or write "${DATABASE_URL}"',
      '  - typo is not a known key (allowed: database, defaults, storage, providers, sync, anomalies, alerts, notifications, tariffs, buildings)',
      '  - defaults.timeZone "Nowhere/City" is not an IANA time zone (e.g. Europe/Brussels)',
      '  - storage must be an object',
      '  - sync.overlapDays must be an integer from 0 to 60',
      '  - sync.schedule.time "25:00" must be HH:MM (24 h)',
      '  - anomalies.method must be one of profile, moving-average',
      '  - anomalies.persistenceMinutes must be an integer from 0 to 1440',
      '  - alerts.language must be one of fr, en',
      '  - alerts.rules[0].severity must be one of minor, major, critical',
      '  - alerts.rules[0].channels names "pager", which is not in notifications.channels',
      '  - notifications.channels.hook.url "ftp://x" must be an http(s) URL',
    ])
      expect(msg.split('\n')).toContain(line);
    expect(msg).toContain('notifications.channels.m.type must be one of log, webhook, email');
    expect(msg).not.toContain('hunter2pw');
  });

  it('is strict per provider: a key the provider does not read is named', () => {
    const msg = problemsOf(() =>
      resolveConfig(
        {
          providers: {
            ores: { apiVersion: 'v5', consentDuration: 'P1Y', clientSecret: 'abc' },
            enedis: { revokeUrl: 'https://x', consentDuration: 'P9Y', rateLimit: { perHour: 0 } },
            p1: {},
          },
        },
        HOME,
        {},
        null,
      ),
    );
    const lines = msg.split('\n');
    expect(lines[0]).toBe('configuration has 7 problem(s):');
    expect(msg).toMatch(
      / {2}- providers\.ores\.apiVersion is not a known key \(allowed: [^)]*revokeUrl\)/,
    );
    expect(msg).toContain('  - providers.ores.consentDuration is not a known key');
    expect(lines).toContain(
      '  - providers.ores.clientSecret is a secret: set KOPROGO_IOT_ORES_CLIENT_SECRET in the environment instead',
    );
    expect(msg).toContain('  - providers.enedis.revokeUrl is not a known key');
    expect(lines).toContain(
      '  - providers.enedis.consentDuration "P9Y" must be an ISO 8601 duration of at most P3Y (e.g. P1Y)',
    );
    expect(lines).toContain(
      '  - providers.enedis.rateLimit.perHour must be a number from 1 to 10000000',
    );
    expect(msg).toContain('  - providers.p1 is not a known key (allowed: enedis, ores)');
    expect(msg).not.toContain('abc');
  });

  it('one threshold rule for the file and the command line: above 100, at most 10,000', () => {
    expect(THRESHOLD_PERCENT).toEqual({ above: 100, max: 10_000 });
    expect([100, 100.5, 10_000, 10_001, Number.NaN].map(isValidThresholdPercent)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    const msg = problemsOf(() =>
      resolveConfig(
        { anomalies: { thresholdPercent: 100 }, alerts: { rules: [{ threshold_percent: 100 }] } },
        HOME,
        {},
        null,
      ),
    );
    expect(msg).toContain(
      'anomalies.thresholdPercent must be a number above 100 and at most 10000',
    );
    expect(msg).toContain(
      'alerts.rules[0].threshold_percent must be a number above 100 and at most 10000',
    );
    const ok = resolveConfig({ anomalies: { thresholdPercent: 100.5 } }, HOME, {}, null);
    expect(ok.anomalies.thresholdPercent).toBe(100.5);
  });

  it('a top level that is not an object names the source', () => {
    for (const raw of [null, [], 'text', 3])
      expect(problemsOf(() => resolveConfig(raw, HOME, {}, '/x/c.json'))).toBe(
        '/x/c.json: the top level must be a JSON object',
      );
  });
});

describe('precedence: flags > environment > file > defaults', () => {
  const file = {
    database: { dataDir: '/srv/file-dir' },
    defaults: { timeZone: 'Europe/Paris', building: 'From file' },
    providers: { ores: { clientId: 'file-id', baseUrl: 'http://file.example' } },
    alerts: { language: 'fr' },
  };

  it('takes each value from the highest source that sets it', () => {
    const env = {
      ...HOME,
      KOPROGO_IOT_DATA_DIR: '/srv/env-dir',
      KOPROGO_IOT_TIMEZONE: 'Europe/Amsterdam',
      KOPROGO_IOT_ORES_CLIENT_ID: 'env-id',
      KOPROGO_IOT_ORES_CLIENT_SECRET: 'env-secret',
      KOPROGO_IOT_LANGUAGE: 'en',
      DATABASE_URL: 'postgresql://env/db',
      IOT_ENCRYPTION_KEY: 'k'.repeat(64),
    };
    const c = resolveConfig(
      file,
      env,
      { dataDir: '/srv/flag-dir', databaseUrl: 'postgres://flag/db' },
      null,
    );
    expect(c.database).toEqual({ url: 'postgres://flag/db', dataDir: '/srv/flag-dir' });
    expect(c.defaults).toEqual({ timeZone: 'Europe/Amsterdam', building: 'From file' });
    expect(c.providers.ores).toMatchObject({
      clientId: 'env-id',
      clientSecret: 'env-secret',
      baseUrl: 'http://file.example',
    });
    expect(c.alerts.language).toBe('en');
    expect(c.encryptionKey).toBe('k'.repeat(64));
    const noFlags = resolveConfig(file, env, {}, null);
    expect(noFlags.database).toEqual({ url: 'postgresql://env/db', dataDir: '/srv/env-dir' });
    const fileOnly = resolveConfig(file, HOME, {}, null);
    expect(fileOnly.database.dataDir).toBe('/srv/file-dir');
    expect(fileOnly.providers.ores.clientId).toBe('file-id');
    expect(fileOnly.providers.ores.clientSecret).toBeUndefined();
  });

  it('an empty variable counts as unset', () => {
    const c = resolveConfig(
      file,
      { ...HOME, KOPROGO_IOT_DATA_DIR: '', DATABASE_URL: '', KOPROGO_IOT_LANGUAGE: '' },
      {},
      null,
    );
    expect(c.database).toEqual({ url: null, dataDir: '/srv/file-dir' });
    expect(c.alerts.language).toBe('fr');
  });

  it('substitutes ${VAR}; an unset variable leaves the default', () => {
    const raw = {
      database: { url: '${DATABASE_URL}' },
      providers: { enedis: { clientId: '${MY_ID}', timeZone: '${MY_ZONE}' } },
      notifications: { channels: { hook: { type: 'webhook', url: 'https://${HOOK_HOST}/in' } } },
    };
    const set = resolveConfig(
      raw,
      { ...HOME, DATABASE_URL: 'postgres://h/db', MY_ID: 'abc', HOOK_HOST: 'h.example' },
      {},
      null,
    );
    expect(set.database.url).toBe('postgres://h/db');
    expect(set.providers.enedis.clientId).toBe('abc');
    expect(set.providers.enedis.timeZone).toBe('Europe/Paris');
    expect(set.notifications.channels.hook).toEqual({
      type: 'webhook',
      url: 'https://h.example/in',
      timeoutMs: 10_000,
    });
    const unset = resolveConfig(raw, { ...HOME, HOOK_HOST: 'h' }, {}, null);
    expect(unset.database.url).toBeNull();
    expect(unset.providers.enedis.clientId).toBe('');
  });

  it('a bad value from the environment names the variable it came from', () => {
    const msg = problemsOf(() =>
      resolveConfig(
        {},
        {
          ...HOME,
          KOPROGO_IOT_LANGUAGE: 'de',
          KOPROGO_IOT_TIMEZONE: 'Mars/Olympus',
          DATABASE_URL: 'mysql://x',
        },
        {},
        null,
      ),
    );
    expect(msg).toContain('  - alerts.language (from KOPROGO_IOT_LANGUAGE) must be one of fr, en');
    expect(msg).toContain(
      '  - defaults.timeZone (from KOPROGO_IOT_TIMEZONE) "Mars/Olympus" is not an IANA time zone',
    );
    expect(msg).toContain(
      '  - database.url (from DATABASE_URL) must start with postgres:// or postgresql://',
    );
    expect(msg).not.toContain('mysql://x');
  });
});
