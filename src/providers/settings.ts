/**
 * Provider settings: production defaults (DESIGN.md section 3) and the `baseUrl` rewrite
 * that points every URL at another host (a sandbox, the local simulator) with paths kept.
 */
import { ConfigError } from '../domain/errors.js';
import type { PulledProviderName as ProviderName } from './names.js';
import type { EnedisSettings, ProviderSettings, SettingsOf } from './types.js';

const ENEDIS_API = 'https://gw.ext.prod.api.enedis.fr';
const ENEDIS_CONSENT = 'https://mon-compte-particulier.enedis.fr';
// No public ORES third-party API is known: this host is a placeholder the configuration overrides.
const ORES_API = 'https://api.ores.be';

export const DEFAULT_PROVIDER_SETTINGS: { [N in ProviderName]: SettingsOf<N> } = {
  enedis: {
    name: 'enedis',
    apiVersion: '2026',
    consentVersion: 'v2',
    authorizeUrl: `${ENEDIS_CONSENT}/dataconnect/v2/oauth2/authorize`,
    tokenUrl: `${ENEDIS_API}/oauth2/v3/token`,
    subscribedServicesUrl: `${ENEDIS_API}/subscribed_services/v1`,
    consumptionLoadCurveUrl: `${ENEDIS_API}/mesure_synchrone_auto/v2/courbe_de_charge_consommation`,
    productionLoadCurveUrl: `${ENEDIS_API}/mesure_synchrone_auto/v2/courbe_de_charge_production`,
    dailyConsumptionUrl: `${ENEDIS_API}/mesure_synchrone_auto/v2/consommation_quotidienne`,
    dailyProductionUrl: `${ENEDIS_API}/mesure_synchrone_auto/v2/production_quotidienne`,
    maxPowerUrl: `${ENEDIS_API}/mesure_synchrone_auto/v2/puissance_conso_max_quotidienne`,
    clientId: '',
    consentDuration: 'P1Y',
    maxDaysPerCall: 7,
    historyDays: 730,
    timeZone: 'Europe/Paris',
    rateLimit: { perSecond: 5, perHour: 1000 },
    timeoutMs: 30_000,
  },
  ores: {
    name: 'ores',
    authorizeUrl: `${ORES_API}/oauth/authorize`,
    tokenUrl: `${ORES_API}/oauth/token`,
    revokeUrl: `${ORES_API}/oauth/revoke`,
    consumptionLoadCurveUrl: `${ORES_API}/v1/consumption_load_curve`,
    productionLoadCurveUrl: `${ORES_API}/v1/production_load_curve`,
    clientId: '',
    maxDaysPerCall: 7,
    historyDays: 730,
    timeZone: 'Europe/Brussels',
    rateLimit: { perDeviceIntervalMs: 2000 },
    timeoutMs: 30_000,
  },
};

/** Enedis legacy v5 data URLs and quota (10,000 calls/h), selected by `apiVersion: "v5"`. */
export const ENEDIS_V5_DEFAULTS: Pick<
  EnedisSettings,
  | 'consumptionLoadCurveUrl'
  | 'productionLoadCurveUrl'
  | 'dailyConsumptionUrl'
  | 'dailyProductionUrl'
  | 'maxPowerUrl'
  | 'rateLimit'
> = {
  consumptionLoadCurveUrl: `${ENEDIS_API}/metering_data_clc/v5/consumption_load_curve`,
  productionLoadCurveUrl: `${ENEDIS_API}/metering_data_plc/v5/production_load_curve`,
  dailyConsumptionUrl: `${ENEDIS_API}/metering_data_dc/v5/daily_consumption`,
  dailyProductionUrl: `${ENEDIS_API}/metering_data_dp/v5/daily_production`,
  maxPowerUrl: `${ENEDIS_API}/metering_data_dcmp/v5/daily_consumption_max_power`,
  rateLimit: { perSecond: 5, perHour: 10_000 },
};

/** A fresh copy of a provider's defaults; for Enedis v5, with the v5 URLs and quota. */
export function defaultProviderSettings<N extends ProviderName>(
  name: N,
  opts: { apiVersion?: '2026' | 'v5' } = {},
): SettingsOf<N> {
  const base: ProviderSettings = DEFAULT_PROVIDER_SETTINGS[name];
  const copy: ProviderSettings = { ...base, rateLimit: { ...base.rateLimit } };
  if (copy.name === 'enedis' && opts.apiVersion === 'v5') {
    const v5: EnedisSettings = {
      ...copy,
      ...ENEDIS_V5_DEFAULTS,
      rateLimit: { ...ENEDIS_V5_DEFAULTS.rateLimit },
      apiVersion: 'v5',
    };
    return v5 as SettingsOf<N>;
  }
  return copy as SettingsOf<N>;
}

const URL_FIELDS = [
  'authorizeUrl',
  'tokenUrl',
  'subscribedServicesUrl',
  'consumptionLoadCurveUrl',
  'productionLoadCurveUrl',
  'dailyConsumptionUrl',
  'dailyProductionUrl',
  'maxPowerUrl',
  'revokeUrl',
] as const;

/**
 * Applies `baseUrl`: each URL keeps its path and query, and takes the base's scheme, host,
 * port and path prefix ("http://127.0.0.1:8080/sim" + "/oauth2/v3/token"). URLs may then be
 * plain paths. The result has no `baseUrl`, so resolving twice changes nothing. Throws a
 * ConfigError naming every URL that is not an absolute http(s) URL.
 */
export function resolveProviderUrls<S extends ProviderSettings>(settings: S): S {
  const { baseUrl, ...rest } = settings;
  const out = { ...rest, rateLimit: { ...rest.rateLimit } } as unknown as S;
  // The URL fields differ per provider; read and written by name, absent ones skipped.
  const fields = settings as unknown as Record<string, string | undefined>;
  const outFields = out as unknown as Record<string, string | undefined>;
  const problems: string[] = [];
  let base: URL | undefined;
  if (baseUrl !== undefined && baseUrl !== '') {
    try {
      base = new URL(baseUrl);
      if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new ConfigError(`providers.${settings.name}.baseUrl is not an http(s) URL: ${baseUrl}`);
    }
  }
  for (const field of URL_FIELDS) {
    const value = fields[field];
    if (value === undefined || value === '') continue;
    let u: URL;
    try {
      u = new URL(value, base ? 'http://placeholder' : undefined);
    } catch {
      problems.push(`${field} (${value})`);
      continue;
    }
    if (base) {
      const prefix = base.pathname.replace(/\/+$/, '');
      outFields[field] = `${base.origin}${prefix}${u.pathname}${u.search}`;
    } else if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      problems.push(`${field} (${value})`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `providers.${settings.name}: not absolute http(s) URLs: ${problems.join(', ')}`,
      { hint: 'Give full URLs, or set baseUrl and give paths.' },
    );
  }
  return out;
}
