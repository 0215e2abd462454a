/**
 * The `providers` section: one strict schema per provider, so a key one provider does not
 * read (Enedis' `apiVersion` under `providers.ores`) is named as unknown. Values not given
 * come from the provider's production defaults (src/providers/settings.ts); with Enedis
 * `apiVersion: "v5"`, from the legacy v5 URLs and quota.
 */
import { z } from 'zod';
import {
  PULLED_PROVIDERS as PROVIDERS,
  type ProviderName as AnyProviderName,
  type PulledProviderName as ProviderName,
} from '../providers/names.js';
import { defaultProviderSettings } from '../providers/settings.js';
import type { EnedisSettings, OresSettings, SettingsOf } from '../providers/types.js';
import { httpUrl, int, num, oneOf, optional, section, str, timeZone } from './fields.js';

/** What the provider sends the browser back to, on top of each provider's settings. */
interface RedirectSetting {
  /** Where the provider sends the browser back: a relay page (Enedis production) or unset (loopback). */
  redirectUri?: string;
}

/** One provider's configuration: its settings plus the redirect address. */
export type ProviderConfigOf<N extends ProviderName> = SettingsOf<N> & RedirectSetting;
export type ProviderConfig = ProviderConfigOf<ProviderName>;
/** The `providers` section once parsed: each provider under its own name, with its own type. */
export type ProvidersConfig = { [N in ProviderName]: ProviderConfigOf<N> };

/** How a person recognises each provider in a list. */
export const PROVIDER_LABELS: Record<AnyProviderName, string> = {
  enedis: 'Enedis Linky (France)',
  ores: 'ORES (Belgium)',
  p1: 'P1 port of a digital meter (Belgium, Netherlands, Luxembourg)',
};

/** The environment variable that holds a provider's value (`KOPROGO_IOT_ORES_CLIENT_SECRET`). */
export function providerEnvVar(
  name: ProviderName,
  what: 'CLIENT_ID' | 'CLIENT_SECRET' | 'BASE_URL',
): string {
  return `KOPROGO_IOT_${name.toUpperCase()}_${what}`;
}

const rateLimit = section({
  perSecond: optional(num(0.01, 10_000)),
  perHour: optional(num(1, 10_000_000)),
  perDeviceIntervalMs: optional(num(0, 3_600_000)),
});

/** Keys every provider reads. */
const commonKeys = {
  baseUrl: optional(httpUrl()),
  authorizeUrl: optional(httpUrl()),
  tokenUrl: optional(httpUrl()),
  consumptionLoadCurveUrl: optional(httpUrl()),
  productionLoadCurveUrl: optional(httpUrl()),
  clientId: optional(str()),
  redirectUri: optional(httpUrl()),
  maxDaysPerCall: optional(int(1, 31)),
  historyDays: optional(int(1, 3650)),
  timeZone: optional(timeZone()),
  rateLimit,
  timeoutMs: optional(int(100, 600_000)),
};

const consentDuration = str().refine((s) => /^P([1-3]Y|\d{1,2}M|\d{1,4}D)$/.test(s), {
  error: (iss) => `"${String(iss.input)}" must be an ISO 8601 duration of at most P3Y (e.g. P1Y)`,
});

const enedisFile = section({
  ...commonKeys,
  apiVersion: optional(oneOf(['2026', 'v5'])),
  consentVersion: optional(oneOf(['v2', 'v1'])),
  subscribedServicesUrl: optional(httpUrl()),
  dailyConsumptionUrl: optional(httpUrl()),
  dailyProductionUrl: optional(httpUrl()),
  maxPowerUrl: optional(httpUrl()),
  consentDuration: optional(consentDuration),
});

const oresFile = section({
  ...commonKeys,
  revokeUrl: optional(httpUrl()),
});

type CommonFile = z.output<typeof oresFile>;

/** The keys every provider reads: the file's values over the provider's defaults. */
function commonWithDefaults<S extends EnedisSettings | OresSettings>(
  d: S,
  p: Omit<CommonFile, 'revokeUrl'>,
): S & RedirectSetting {
  const out = {
    ...d,
    baseUrl: p.baseUrl,
    authorizeUrl: p.authorizeUrl ?? d.authorizeUrl,
    tokenUrl: p.tokenUrl ?? d.tokenUrl,
    consumptionLoadCurveUrl: p.consumptionLoadCurveUrl ?? d.consumptionLoadCurveUrl,
    productionLoadCurveUrl: p.productionLoadCurveUrl ?? d.productionLoadCurveUrl,
    clientId: p.clientId ?? '',
    maxDaysPerCall: p.maxDaysPerCall ?? d.maxDaysPerCall,
    historyDays: p.historyDays ?? d.historyDays,
    timeZone: p.timeZone ?? d.timeZone,
    rateLimit: {
      perSecond: p.rateLimit.perSecond ?? d.rateLimit.perSecond,
      perHour: p.rateLimit.perHour ?? d.rateLimit.perHour,
      perDeviceIntervalMs: p.rateLimit.perDeviceIntervalMs ?? d.rateLimit.perDeviceIntervalMs,
    },
    timeoutMs: p.timeoutMs ?? d.timeoutMs,
  } as S & RedirectSetting;
  if (p.redirectUri !== undefined) out.redirectUri = p.redirectUri;
  return out;
}

/** Enedis: the common keys, then its own (API version, consent page, subscribed services). */
function enedisWithDefaults(p: z.output<typeof enedisFile>): ProviderConfigOf<'enedis'> {
  const d = defaultProviderSettings('enedis', p.apiVersion ? { apiVersion: p.apiVersion } : {});
  const out = commonWithDefaults(d, p);
  out.subscribedServicesUrl = p.subscribedServicesUrl ?? d.subscribedServicesUrl;
  out.dailyConsumptionUrl = p.dailyConsumptionUrl ?? d.dailyConsumptionUrl;
  out.dailyProductionUrl = p.dailyProductionUrl ?? d.dailyProductionUrl;
  out.maxPowerUrl = p.maxPowerUrl ?? d.maxPowerUrl;
  out.consentDuration = p.consentDuration ?? d.consentDuration;
  if (p.consentVersion) out.consentVersion = p.consentVersion;
  return out;
}

/** ORES: the common keys and its revocation endpoint. */
function oresWithDefaults(p: CommonFile): ProviderConfigOf<'ores'> {
  const d = defaultProviderSettings('ores');
  const out = commonWithDefaults(d, p);
  out.revokeUrl = p.revokeUrl ?? d.revokeUrl;
  return out;
}

export const providersSection = section({
  enedis: enedisFile.transform(enedisWithDefaults),
  ores: oresFile.transform(oresWithDefaults),
}) satisfies z.ZodType<ProvidersConfig>;

/** Keys that hold secrets: written in the file, they are a problem naming the variable to use. */
export function secretKeyProblem(path: readonly PropertyKey[], key: string): string | null {
  const [top, name] = path;
  if (top === 'providers' && path.length === 2 && key === 'clientSecret')
    return `is a secret: set ${providerEnvVar(name as ProviderName, 'CLIENT_SECRET')} in the environment instead`;
  return null;
}

/**
 * The provider whose meters keep local time in `zone` (Enedis: Europe/Paris, ORES:
 * Europe/Brussels), else the one of the default zone: what `init` proposes first.
 */
export function providerForTimeZone(zone: string, fallbackZone: string): ProviderName {
  const inZone = (z: string) => PROVIDERS.find((p) => defaultProviderSettings(p).timeZone === z);
  return inZone(zone) ?? inZone(fallbackZone) ?? PROVIDERS[0];
}
