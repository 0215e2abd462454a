/**
 * The provider contract: what the sync engine, `link` and `import` use. One adapter per
 * provider (Enedis Data Connect, ORES) implements it; every URL comes from configuration.
 */
import type { IntervalReading, ProviderName } from '../domain/readings.js';

export type LoadCurveKind = 'consumption' | 'production';

export interface ProviderSettings {
  name: ProviderName;
  /** Enedis only: '2026' (Data Connect 2026, default) or 'v5' (legacy metering_data APIs). */
  apiVersion?: '2026' | 'v5';
  /** Enedis consent page version: 'v2' (autorisation_id) or 'v1' (usage_point_id). */
  consentVersion?: 'v1' | 'v2';
  /** When set, every URL below is taken relative to this host (same paths). */
  baseUrl?: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Enedis: POST subscribed_services (autorisation_id → PRM). */
  subscribedServicesUrl?: string;
  consumptionLoadCurveUrl: string;
  productionLoadCurveUrl: string;
  /** Enedis: daily consumption (Wh per day). */
  dailyConsumptionUrl?: string;
  /** ORES: token revocation (RFC 7009), when the provider offers one. */
  revokeUrl?: string;
  clientId: string;
  clientSecret?: string;
  /** Consent duration asked for (Enedis, ISO 8601, ≤ P3Y). */
  consentDuration?: string;
  /** Max days per load-curve call (Enedis: 7). */
  maxDaysPerCall: number;
  /** Days of history the provider keeps (Enedis load curve: 24 months ≈ 730 days). */
  historyDays: number;
  /** Time zone the provider's local dates are in (Enedis: Europe/Paris; ORES: Europe/Brussels). */
  timeZone: string;
  /** Rate limits: calls per second and per hour for the whole application; per-device min interval. */
  rateLimit: { perSecond?: number; perHour?: number; perDeviceIntervalMs?: number };
  /** HTTP timeout per request, ms. */
  timeoutMs: number;
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
  /** PKCE S256 challenge (ORES; ignored by Enedis). */
  codeChallenge?: string;
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
  /** End of the consent (Enedis dateFin; ORES: unknown → undefined). */
  consentExpiresAt?: Date;
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
    ctx: { redirectUri: string; codeVerifier?: string; signal?: AbortSignal },
  ): Promise<LinkResult>;
  /** Refreshes a device's tokens (ORES). Enedis: throws, no per-device refresh. */
  refreshTokens(tokens: DeviceTokens, signal?: AbortSignal): Promise<DeviceTokens>;
  /** Revokes the device's tokens where the provider allows; returns false when it cannot. */
  revoke(tokens: DeviceTokens, signal?: AbortSignal): Promise<boolean>;
  /** One load-curve call (one window). */
  fetchLoadCurve(req: LoadCurveRequest): Promise<LoadCurveResult>;
}
