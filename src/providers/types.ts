/**
 * The provider contract: what the sync engine, `link` and `import` use. One adapter per
 * provider (Enedis Data Connect, ORES) implements it; every URL comes from configuration.
 */
import type { IntervalReading } from '../domain/readings.js';
import type { ProviderName } from './names.js';

export type LoadCurveKind = 'consumption' | 'production';

/** Settings every provider pulled over HTTP in windows of local days has. */
interface PulledProviderSettings {
  /** When set, every URL below is taken relative to this host (same paths). */
  baseUrl?: string;
  authorizeUrl: string;
  tokenUrl: string;
  consumptionLoadCurveUrl: string;
  productionLoadCurveUrl: string;
  clientId: string;
  clientSecret?: string;
  /** Max days per load-curve call (Enedis: 7). */
  maxDaysPerCall: number;
  /** Days of history the provider keeps (Enedis load curve: 24 months ≈ 730 days). */
  historyDays: number;
  /** Time zone the provider's local dates are in (Enedis: Europe/Paris; ORES: Europe/Brussels). */
  timeZone: string;
  /** Rate limits: calls per second and per hour for the whole application; per-key min interval. */
  rateLimit: { perSecond?: number; perHour?: number; perDeviceIntervalMs?: number };
  /** HTTP timeout per request, ms. */
  timeoutMs: number;
}

export interface EnedisSettings extends PulledProviderSettings {
  name: 'enedis';
  /** '2026' (Data Connect 2026, default) or 'v5' (legacy metering_data APIs). */
  apiVersion?: '2026' | 'v5';
  /** Consent page version: 'v2' (autorisation_id) or 'v1' (usage_point_id). */
  consentVersion?: 'v1' | 'v2';
  /** POST subscribed_services (autorisation_id → PRM). */
  subscribedServicesUrl?: string;
  /** Daily consumption (Wh per day). */
  dailyConsumptionUrl?: string;
  /** Daily production (Wh per day). */
  dailyProductionUrl?: string;
  /** Daily maximum power drawn (VA, with the time of the peak). */
  maxPowerUrl?: string;
  /** Consent duration asked for (ISO 8601, ≤ P3Y). */
  consentDuration?: string;
}

export interface OresSettings extends PulledProviderSettings {
  name: 'ores';
  /** Token revocation (RFC 7009), when the provider offers one. */
  revokeUrl?: string;
}

/** One provider's settings, told apart by `name`. */
export type ProviderSettings = EnedisSettings | OresSettings;

/** Every provider's fields at once, optional where any provider lacks them (readers of raw config). */
export type AnyProviderFields = Partial<Omit<EnedisSettings, 'name'> & Omit<OresSettings, 'name'>> &
  Omit<PulledProviderSettings, never>;

/** The settings type of one provider name. */
export type SettingsOf<N extends ProviderSettings['name']> = Extract<ProviderSettings, { name: N }>;

/** How a meter gets linked. */
export type LinkMethod =
  /** OAuth 2 authorization code with PKCE; access and refresh tokens per meter (ORES). */
  | 'oauth-code-pkce'
  /** The customer's consent in the browser, then data read with one application token (Enedis). */
  | 'enedis-consent'
  /** A connection on the local network or a cable, no consent and no tokens (P1 port). */
  | 'local-connection';

/** How readings arrive: fetched in windows of local days, or sent by the meter as they happen. */
export type DataFlow = 'pull' | 'push';

/** The meter id a provider knows a meter by (PRM, EAN, equipment id), and how to check it. */
export interface MeterIdFormat {
  /** What the id is called in messages ("PRM", "equipment id"). */
  label: string;
  /** Longest id the provider uses; the schema stores any length. */
  maxLength: number;
  /** A one-line problem, or null when the id is usable. */
  validate(id: string): string | null;
}

export interface ProviderCapabilities {
  link: LinkMethod;
  flow: DataFlow;
  meterId: MeterIdFormat;
  /**
   * What the rate limiter's per-key interval is counted on: the whole application
   * (Enedis quotas) or each building (ORES: one request per 2 s per building).
   */
  rateLimitKey: 'application' | 'building';
  /** Tokens are held per meter and sealed at rest (ORES); false when the application holds one. */
  tokensPerMeter: boolean;
  /** The adapter can renew a meter's access token with its refresh token. */
  canRefresh: boolean;
  /** The adapter can revoke a meter's grant at the provider. */
  canRevoke: boolean;
}

/** Tokens held for one device. Enedis has no per-device token (application token only). */
export interface DeviceTokens {
  accessToken?: string;
  refreshToken?: string;
  /** When the access token expires. */
  expiresAt?: Date;
}

export interface AuthorizeRequest {
  state: string;
  redirectUri: string;
  /** PKCE S256 challenge (asked for by providers linked with 'oauth-code-pkce'). */
  codeChallenge?: string;
  /** The meter the user names (--prm): ORES' consent request carries it. */
  meterId?: string;
}

/** What the loopback listener received on /callback. */
export interface CallbackParams {
  code?: string;
  state?: string;
  error?: string;
  errorDescription?: string;
  /** Enedis v2 */
  autorisationId?: string;
  /** Enedis v1 */
  usagePointId?: string;
}

export interface LinkResult {
  prm: string;
  tokens: DeviceTokens;
  /** End of the consent (Enedis: the end of its last day, dateFin; ORES: unknown → undefined). */
  consentExpiresAt?: Date;
  /** Start of the consent (Enedis dateDebut): no data may be asked before it. */
  consentStartsAt?: Date;
  /** The series the consent gives (Enedis soutirage / injection), when the provider says. */
  series?: { consumption: boolean; production: boolean };
  /** Enedis autorisation id, kept for reference. */
  authorizationId?: string;
}

export interface LoadCurveRequest {
  prm: string;
  kind: LoadCurveKind;
  /** First local day (YYYY-MM-DD, provider's time zone), included. */
  fromDay: string;
  /** Last local day, excluded. At most maxDaysPerCall after fromDay. */
  toDay: string;
  tokens: DeviceTokens;
  signal?: AbortSignal;
}

export interface LoadCurveResult {
  readings: IntervalReading[];
}

export interface Provider {
  readonly name: ProviderName;
  readonly settings: ProviderSettings;
  /** The consent page URL the user's browser opens. */
  authorizeUrl(req: AuthorizeRequest): string;
  /** Turns the callback into a PRM and tokens (code exchange, subscribed_services). */
  completeLink(
    params: CallbackParams,
    ctx: {
      redirectUri: string;
      codeVerifier?: string;
      /** The meter the user names (--prm), for a provider whose token answer does not. */
      meterId?: string;
      signal?: AbortSignal;
    },
  ): Promise<LinkResult>;
  /** Refreshes a device's tokens (ORES). Enedis: throws, no per-device refresh. */
  refreshTokens(tokens: DeviceTokens, signal?: AbortSignal): Promise<DeviceTokens>;
  /** Revokes the device's tokens where the provider allows; returns false when it cannot. */
  revoke(tokens: DeviceTokens, signal?: AbortSignal): Promise<boolean>;
  /** One load-curve call (one window). */
  fetchLoadCurve(req: LoadCurveRequest): Promise<LoadCurveResult>;
}
