/**
 * What a meter's consent told at link time, beyond its end: its first day (nothing may be
 * asked before it, Enedis ADAM-DC-0009) and whether it gives production (injection).
 */
import type { Queryable } from './types.js';

export interface ConsentDetails {
  startsAt: Date | null;
  /** True when the consent lists injection; null when the provider did not say. */
  production: boolean | null;
}

export async function recordConsentDetails(
  q: Queryable,
  deviceId: string,
  d: { consentStartsAt?: Date; series?: { production: boolean } },
): Promise<void> {
  await q.query(
    `UPDATE linky_devices SET consent_starts_at = $2, consent_production = $3 WHERE id = $1`,
    [deviceId, d.consentStartsAt ?? null, d.series ? d.series.production : null],
  );
}

export async function loadConsentDetails(q: Queryable, deviceId: string): Promise<ConsentDetails> {
  const r = await q.query<{
    consent_starts_at: Date | string | null;
    consent_production: boolean | null;
  }>(`SELECT consent_starts_at, consent_production FROM linky_devices WHERE id = $1`, [deviceId]);
  const row = r.rows[0];
  return {
    startsAt: row?.consent_starts_at ? new Date(row.consent_starts_at) : null,
    production: row?.consent_production ?? null,
  };
}
