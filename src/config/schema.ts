/**
 * The configuration file's schema: every key, its type, its range and its default, in one
 * place. The types of the parsed configuration, the messages of every problem, the example
 * file's check and the starter file `init` writes all come from here.
 */
import { z } from 'zod';
import { ANOMALY_METHODS, SEVERITIES, type Language } from '../analytics/anomalyTypes.js';
import {
  bool,
  httpUrl,
  int,
  num,
  numAbove,
  oneOf,
  optional,
  section,
  str,
  strictObject,
  withoutDocKeys,
  timeZone,
  withDefault,
} from './fields.js';
import { providersSection } from './providers.js';
import { tariffPlansSchema } from '../tariffs/schema.js';

export type { AnomalyMethod, Language } from '../analytics/anomalyTypes.js';
export { ANOMALY_METHODS };

export const DEFAULT_TIME_ZONE = 'Europe/Brussels';

export const LANGUAGES = ['fr', 'en'] as const satisfies readonly Language[];
// Fails to compile when the analytics' Language gains a value this list lacks.
const everyLanguageListed: Exclude<Language, (typeof LANGUAGES)[number]> extends never
  ? true
  : never = true;
void everyLanguageListed;

/**
 * A threshold is a percentage of the baseline: it must be above 100 (150 flags 50 % over
 * normal), and at most 10,000. The same rule for the file and the command line.
 */
export const THRESHOLD_PERCENT = { above: 100, max: 10_000 } as const;

export function isValidThresholdPercent(n: number): boolean {
  return Number.isFinite(n) && n > THRESHOLD_PERCENT.above && n <= THRESHOLD_PERCENT.max;
}

const thresholdPercent = () => numAbove(THRESHOLD_PERCENT.above, THRESHOLD_PERCENT.max);

/** One condition per anomaly kind (spike, night_baseload, level_shift). */
export const ALERT_CONDITIONS = ['above_baseline', 'night_baseload', 'level_shift'] as const;

const alertRule = section({
  metric_type: withDefault(str(), 'electricity_consumption'),
  condition: withDefault(oneOf(ALERT_CONDITIONS), 'above_baseline'),
  threshold_type: withDefault(oneOf(['percent']), 'percent'),
  threshold_percent: withDefault(thresholdPercent(), 150),
  severity: withDefault(oneOf(SEVERITIES), 'major'),
  channels: withDefault(z.array(str(), { error: 'must be a list of channel names' }), ['log']),
});
export type AlertRule = z.output<typeof alertRule>;

/**
 * One rule per anomaly kind: spikes from major, a raised night baseload and a lasting level
 * shift from minor (both are judged on the night level, where 130 % is already a device
 * left on).
 */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  {
    metric_type: 'electricity_consumption',
    condition: 'above_baseline',
    threshold_type: 'percent',
    threshold_percent: 150,
    severity: 'major',
    channels: ['log'],
  },
  {
    metric_type: 'electricity_consumption',
    condition: 'night_baseload',
    threshold_type: 'percent',
    threshold_percent: 130,
    severity: 'minor',
    channels: ['log'],
  },
  {
    metric_type: 'electricity_consumption',
    condition: 'level_shift',
    threshold_type: 'percent',
    threshold_percent: 130,
    severity: 'minor',
    channels: ['log'],
  },
];

const logChannel = strictObject({ type: z.literal('log') });
const webhookChannel = strictObject({
  type: z.literal('webhook'),
  url: httpUrl(),
  secretEnv: optional(str()),
  timeoutMs: withDefault(int(100, 120_000), 10_000),
});
const emailChannel = strictObject({
  type: z.literal('email'),
  host: str(),
  port: withDefault(int(1, 65535), 587),
  secure: withDefault(bool(), false),
  user: optional(str()),
  passwordEnv: optional(str()),
  from: withDefault(str(), 'koprogo-iot@localhost'),
  to: z
    .array(str(), { error: 'must list at least one address' })
    .min(1, { error: 'must list at least one address' }),
});

/** A channel without a type is a log channel. */
const channel = z.preprocess(
  (c) => {
    const o = withoutDocKeys(c);
    return o && typeof o === 'object' && !('type' in o) ? { ...o, type: 'log' } : o;
  },
  z.discriminatedUnion('type', [logChannel, webhookChannel, emailChannel], {
    error: (iss) =>
      iss.input === null || typeof iss.input !== 'object'
        ? 'must be an object'
        : 'must be one of log, webhook, email',
  }),
);
export type ChannelConfig = z.output<typeof channel>;

const channels = z.preprocess(
  (v) => (v === undefined || v === null ? {} : v),
  z.record(z.string(), channel, { error: 'must be an object' }),
);

/**
 * What makes buildings comparable: heated or served floor area (m²) and the number of lots
 * (units) the common parts serve. Keyed by building name (any case) or id, as
 * tariffs.buildings is.
 */
const buildingFacts = section({
  surfaceM2: optional(num(1, 10_000_000)),
  units: optional(int(1, 100_000)),
});
export type BuildingFacts = z.output<typeof buildingFacts>;

export const configFileSchema = section({
  database: section({
    url: optional(
      str().regex(/^postgres(ql)?:\/\//, {
        error: 'must start with postgres:// or postgresql://',
      }),
    ),
    dataDir: optional(str()),
  }),
  defaults: section({
    building: withDefault(str().nullable(), null),
    timeZone: withDefault(timeZone(), DEFAULT_TIME_ZONE),
  }),
  storage: section({
    compressAfterDays: withDefault(int(0, 3650), 7),
    retentionDays: withDefault(int(0, 36500), 730),
  }),
  providers: providersSection,
  sync: section({
    overlapDays: withDefault(int(0, 60), 3),
    concurrency: withDefault(int(1, 64), 8),
    retries: withDefault(int(0, 10), 3),
    leaseSeconds: withDefault(int(30, 86400), 900),
    schedule: section({
      time: withDefault(
        str().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
          error: (iss) => `"${String(iss.input)}" must be HH:MM (24 h)`,
        }),
        '02:00',
      ),
      timeZone: withDefault(timeZone(), DEFAULT_TIME_ZONE),
      jitterSeconds: withDefault(int(0, 3600), 300),
      /**
       * Instead of one daily cycle: a cycle every this many minutes, on the wall clock's
       * multiples of it (all daemons cycle together); null = daily at `time`.
       */
      everyMinutes: withDefault(int(1, 1440).nullable(), null),
    }),
    production: withDefault(bool(), false),
  }),
  anomalies: section({
    method: withDefault(oneOf(ANOMALY_METHODS), 'profile'),
    thresholdPercent: withDefault(thresholdPercent(), 120),
    days: withDefault(int(1, 730), 30),
    /** A raised level counts once it has lasted this long. */
    persistenceMinutes: withDefault(int(0, 1440), 90),
    /** Ignore excesses smaller than this over the baseline (meter noise, a kettle). */
    minExcessWatts: withDefault(num(0, 1_000_000), 100),
    /** A new steady level becomes the baseline after this many weeks. */
    levelShiftAdoptWeeks: withDefault(int(1, 52), 3),
  }),
  alerts: section({
    language: withDefault(oneOf(LANGUAGES), 'fr'),
    rules: withDefault(z.array(alertRule, { error: 'must be an array of rules' }), [
      ...DEFAULT_ALERT_RULES,
    ]),
  }),
  notifications: section({
    channels: channels.transform((c): Record<string, ChannelConfig> => ({
      log: { type: 'log' },
      ...c,
    })),
  }),
  /** Tariff plans, each building's contract and carbon factors (see docs/costs.md). */
  tariffs: optional(z.preprocess(withoutDocKeys, tariffPlansSchema)),
  buildings: withDefault(
    z.preprocess(withoutDocKeys, z.record(str(), buildingFacts, { error: 'must be an object' })),
    {},
  ),
});

/**
 * Rules naming a channel that `notifications.channels` lacks. Read from the raw file so the
 * problem is listed with every other one, not only once the rest is valid.
 */
export function unknownRuleChannels(
  raw: unknown,
): { path: (string | number)[]; message: string }[] {
  const file = (raw ?? {}) as {
    alerts?: { rules?: unknown };
    notifications?: { channels?: unknown };
  };
  const rules = file.alerts?.rules;
  if (!Array.isArray(rules)) return [];
  const declared = file.notifications?.channels;
  const names = new Set([
    'log',
    ...(declared && typeof declared === 'object' ? Object.keys(declared) : []),
  ]);
  const out: { path: (string | number)[]; message: string }[] = [];
  rules.forEach((rule: unknown, i) => {
    const chans = (rule as { channels?: unknown } | null)?.channels;
    if (!Array.isArray(chans)) return;
    for (const name of chans)
      if (typeof name === 'string' && !names.has(name))
        out.push({
          path: ['alerts', 'rules', i, 'channels'],
          message: `names "${name}", which is not in notifications.channels`,
        });
  });
  return out;
}

/** The file's content once validated, with every default filled in. */
export type ConfigFile = z.output<typeof configFileSchema>;
