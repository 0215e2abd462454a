/**
 * What the simulated providers remember: meters and their consents, Enedis application
 * tokens, ORES authorization codes and per-device token pairs (with refresh rotation).
 */
import { randomBytes } from 'node:crypto';
import type { ProviderName } from './providerNames.js';
import { addDays, addMonths, localDay } from './euTime.js';
import type { SimMeter } from './loadModel.js';
import { createSimMeter, type SimMeterOptions } from './meters.js';
import { hashInts } from './prng.js';

export interface EnedisConsent {
  autorisationId: number;
  serviceSouscritId: number;
  /** Local days; the consent is usable from dateDebut through dateFin, its last day. */
  dateDebut: string;
  dateFin: string;
  etatCode: 'ACTIF' | 'TERMINE' | 'SUPPRIME';
  /**
   * When set, data before dateDebut is refused with 403 ADAM-DC-0009 (a consent that gives
   * no history before its start); otherwise the meter's whole history is open.
   */
  noHistoryBeforeStart?: boolean;
}

export interface MeterRecord {
  meter: SimMeter;
  /** Enedis meters only. */
  consent?: EnedisConsent;
  /** ORES: the grant is gone (revoked); Enedis uses consent.etatCode. */
  revoked: boolean;
}

export interface OresCode {
  prm: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  expiresAtMs: number;
}

export interface OresTokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  usage_point_id: string;
}

const CODE_TTL_MS = 10 * 60_000;

function newToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Parses an ISO 8601 consent duration (PnY, PnM, PnD); null when malformed. */
export function parseConsentDuration(s: string): { months: number; days: number } | null {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(s);
  if (!m || s === 'P') return null;
  return { months: Number(m[1] ?? 0) * 12 + Number(m[2] ?? 0), days: Number(m[3] ?? 0) };
}

export class SimState {
  readonly meters = new Map<string, MeterRecord>();
  private readonly ranks: Record<ProviderName, number> = { enedis: 0, ores: 0 };
  readonly enedisByAuthorisation = new Map<number, string>();
  /** Enedis application token → expiry (ms since epoch). */
  readonly enedisTokens = new Map<string, number>();
  readonly oresCodes = new Map<string, OresCode>();
  readonly oresAccess = new Map<string, { prm: string; expiresAtMs: number }>();
  readonly oresRefresh = new Map<string, { prm: string; clientId: string }>();

  constructor(
    readonly seed: number,
    readonly now: () => Date,
    readonly tokenTtl: { enedis: number; ores: number },
    /** How new meters' consumption is drawn (the realistic model or the default one). */
    readonly meterOptions: SimMeterOptions = {},
  ) {}

  nowMs(): number {
    return this.now().getTime();
  }

  today(): string {
    return localDay(this.nowMs());
  }

  /** Creates the next meter of a provider, with an active consent for `duration`. */
  createMeter(provider: ProviderName, duration = { months: 12, days: 0 }): MeterRecord {
    const rank = this.ranks[provider]++;
    const meter = createSimMeter(provider, this.seed, rank, this.nowMs(), this.meterOptions);
    const record: MeterRecord = { meter, revoked: false };
    if (provider === 'enedis') {
      let autorisationId = 10_000_000 + (hashInts(this.seed, 21, rank) % 89_000_000);
      while (this.enedisByAuthorisation.has(autorisationId)) autorisationId++;
      this.enedisByAuthorisation.set(autorisationId, meter.prm);
      const today = this.today();
      record.consent = {
        autorisationId,
        serviceSouscritId: 100_000 + rank,
        dateDebut: today,
        dateFin: addDays(addMonths(today, duration.months), duration.days - 1),
        etatCode: 'ACTIF',
      };
    }
    this.meters.set(meter.prm, record);
    return record;
  }

  /**
   * The customer gives a new consent for a meter that already exists (after the old one
   * ended or was withdrawn): same PRM and data, a new authorisation.
   */
  renewConsent(prm: string, duration = { months: 12, days: 0 }): MeterRecord | undefined {
    const record = this.meters.get(prm);
    if (!record || record.meter.provider !== 'enedis') return undefined;
    let autorisationId =
      10_000_000 + (hashInts(this.seed, 22, this.enedisByAuthorisation.size) % 89_000_000);
    while (this.enedisByAuthorisation.has(autorisationId)) autorisationId++;
    this.enedisByAuthorisation.set(autorisationId, prm);
    const today = this.today();
    record.revoked = false;
    record.consent = {
      autorisationId,
      serviceSouscritId: (record.consent?.serviceSouscritId ?? 100_000) + 1_000_000,
      dateDebut: today,
      dateFin: addDays(addMonths(today, duration.months), duration.days - 1),
      etatCode: 'ACTIF',
    };
    return record;
  }

  /** True when the meter exists and its consent (Enedis) or grant (ORES) is usable today. */
  consentActive(record: MeterRecord | undefined): boolean {
    if (!record || record.revoked) return false;
    const c = record.consent;
    if (!c) return record.meter.provider === 'ores';
    return c.etatCode === 'ACTIF' && this.today() <= c.dateFin && this.today() >= c.dateDebut;
  }

  /** Ends a meter's consent (the customer withdrew it): data calls answer 403 from now on. */
  revokeConsent(prm: string): boolean {
    const record = this.meters.get(prm);
    if (!record) return false;
    record.revoked = true;
    if (record.consent) record.consent.etatCode = 'SUPPRIME';
    this.dropOresTokens(prm);
    return true;
  }

  issueEnedisToken(): { token: string; expiresIn: number } {
    const token = newToken();
    this.enedisTokens.set(token, this.nowMs() + this.tokenTtl.enedis * 1000);
    return { token, expiresIn: this.tokenTtl.enedis };
  }

  enedisTokenValid(token: string | undefined): boolean {
    if (!token) return false;
    const exp = this.enedisTokens.get(token);
    return exp !== undefined && exp > this.nowMs();
  }

  issueOresCode(code: Omit<OresCode, 'expiresAtMs'>): string {
    const value = newToken(18);
    this.oresCodes.set(value, { ...code, expiresAtMs: this.nowMs() + CODE_TTL_MS });
    return value;
  }

  /** A fresh access/refresh pair for an ORES meter. */
  issueOresTokens(prm: string, clientId = ''): OresTokenPair {
    const access = newToken();
    const refresh = newToken(32);
    this.oresAccess.set(access, { prm, expiresAtMs: this.nowMs() + this.tokenTtl.ores * 1000 });
    this.oresRefresh.set(refresh, { prm, clientId });
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      expires_in: this.tokenTtl.ores,
      usage_point_id: prm,
    };
  }

  /** The PRM an ORES access token is valid for, or undefined when unknown or expired. */
  oresTokenPrm(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const t = this.oresAccess.get(token);
    return t && t.expiresAtMs > this.nowMs() ? t.prm : undefined;
  }

  /** Forgets every token of an ORES meter (revocation ends the whole grant). */
  dropOresTokens(prm: string): void {
    for (const [k, v] of this.oresAccess) if (v.prm === prm) this.oresAccess.delete(k);
    for (const [k, v] of this.oresRefresh) if (v.prm === prm) this.oresRefresh.delete(k);
  }
}
