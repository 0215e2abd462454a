import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/domain/errors.js';
import { classifyAnswer } from '../../../src/providers/http.js';
import { readSubscribedServices } from '../../../src/providers/enedisServices.js';
import { failureOutcome } from '../../../src/sync/syncOutcome.js';

const now = new Date('2026-11-24T20:29:00Z');
const classify = (
  status: number,
  body: unknown,
  where = 'GET /mesure_synchrone_auto/v2/consommation_quotidienne',
) =>
  classifyAnswer(status, typeof body === 'string' ? body : JSON.stringify(body), new Headers(), {
    provider: 'Enedis',
    where,
    now,
  });
const outcomeOf = (e: unknown) =>
  failureOutcome(e, {
    aborted: false,
    written: 0,
    consentExpiresAt: null,
    now,
    relinkCommand: 'koprogo-iot link --provider enedis --prm 12345678901234',
  });

// Error bodies as Enedis documents them for the Data Connect 2026 APIs (gateway fault 900908,
// ADAM-DC-0008/0009, quota answers without Retry-After or nextAccessTime); values our own.
describe('Enedis 403 answers', () => {
  it('900908: names the API not subscribed, says where to subscribe, asks no relink', () => {
    const e = classify(403, {
      fault: {
        code: 900908,
        message: 'Resource forbidden ',
        description:
          'User is NOT authorized to access the Resource. API Subscription validation failed.',
      },
    });
    expect(e.kind).toBe('api_not_subscribed');
    expect(e.message).toContain('not subscribed to the consommation_quotidienne API');
    expect(e.hint).toContain('Enedis DataHub');
    expect(e.hint).toContain('cannot help');
    expect(e.exitCode).toBe(EXIT.CONFIG);
    const o = outcomeOf(e);
    expect(o.errorClass).toBe('api_not_subscribed');
    expect(o.device?.status).toBe('error');
    expect(o.device?.message).not.toContain('link the meter again');
    // The same code in the flat {code, message} shape.
    expect(
      classify(403, { code: '900908', message: 'API Subscription validation failed' }).kind,
    ).toBe('api_not_subscribed');
  });

  it('ADAM-DC-0009: a date before the consent start, its own kind', () => {
    const e = classify(403, {
      error: 'ADAM-DC-0009',
      error_description: "The start date must be later than the consent's start date",
    });
    expect(e.kind).toBe('before_consent_start');
    expect(outcomeOf(e).errorClass).toBe('before_consent_start');
    expect(outcomeOf(e).device?.status).toBe('error');
  });

  it('ADAM-DC-0008: the consent is gone, link again (exit code for auth)', () => {
    const e = classify(403, {
      error: 'ADAM-DC-0008',
      error_description: 'No consent can be found for this customer and this usage point',
    });
    expect(e.kind).toBe('consent_invalid');
    expect(e.exitCode).toBe(EXIT.AUTH);
    const o = outcomeOf(e);
    expect(o.device?.status).toBe('consent_revoked');
    expect(o.device?.message).toContain('link the meter again');
  });
});

describe('Enedis 429 bodies without Retry-After or nextAccessTime', () => {
  it('Quota Q3 (per second): a short wait', () => {
    const e = classify(429, { code: '429', message: 'Quota Q3 reached' });
    expect(e).toMatchObject({ kind: 'rate_limited', quota: 'second' });
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(e.retryAfterMs).toBeLessThan(5000);
  });

  it('Quota Q4 and SLA dépassé (hourly): wait until the next hour starts', () => {
    // now is 20:29:00 UTC: the hour frees at 21:00:00, 31 minutes on (plus a few seconds).
    for (const message of ['Quota Q4 reached', 'SLA dépassé']) {
      const e = classify(429, { code: '429', message });
      expect(e.quota).toBe('hour');
      expect(e.retryAfterMs).toBeGreaterThanOrEqual(31 * 60_000);
      expect(e.retryAfterMs).toBeLessThan(32 * 60_000);
    }
  });
});

describe('subscribed_services read leniently', () => {
  const PRM = '12345678901234';
  it('picks the ACTIF service next to a TERMINE and a DEMANDE one without dateFin', () => {
    const s = readSubscribedServices({
      nbTotalServices: 3,
      serviceSouscrit: [
        { pointId: PRM, dateDebut: '2025-01-01', etatCode: 'TERMINE' },
        { pointId: PRM, dateDebut: '2026-11-24', etatCode: 'DEMANDE', mesuresTypeCode: 'COURBE' },
        { pointId: PRM, dateDebut: '2026-07-01', dateFin: '2027-07-01', etatCode: 'ACTIF' },
      ],
    });
    expect(s).toMatchObject({
      prm: PRM,
      dateDebut: '2026-07-01',
      dateFin: '2027-07-01',
      etatCode: 'ACTIF',
    });
    expect(s.series).toEqual({ consumption: true, production: false });
  });

  it('tells production from a service naming injection', () => {
    const s = readSubscribedServices({
      serviceSouscrit: [
        {
          pointId: PRM,
          dateDebut: '2026-07-01',
          dateFin: '2027-07-01',
          etatCode: 'ACTIF',
          sens: 'SOUTIRAGE',
        },
        {
          pointId: PRM,
          dateDebut: '2026-07-01',
          dateFin: '2027-07-01',
          etatCode: 'ACTIF',
          sens: 'INJECTION',
        },
      ],
    });
    expect(s.series).toEqual({ consumption: true, production: true });
  });

  it('a malformed answer says so, an empty one says no service', () => {
    expect(() => readSubscribedServices('oops')).toThrow(/malformed/);
    expect(() => readSubscribedServices({ serviceSouscrit: ['x'] })).toThrow(/malformed/);
    expect(() => readSubscribedServices({ nbTotalServices: 1 })).toThrow(/malformed/);
    expect(() =>
      readSubscribedServices({
        serviceSouscrit: [{ pointId: 'abc', dateFin: '2027-01-01', etatCode: 'ACTIF' }],
      }),
    ).toThrow(/malformed.*pointId/);
    expect(() => readSubscribedServices({ nbTotalServices: 0, serviceSouscrit: [] })).toThrow(
      /lists no service/,
    );
    expect(() =>
      readSubscribedServices({ serviceSouscrit: [{ pointId: PRM, etatCode: 'SUPPRIME' }] }),
    ).toThrow(/not usable \(state SUPPRIME\)/);
  });
});
