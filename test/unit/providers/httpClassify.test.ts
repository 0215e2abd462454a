import { describe, expect, it } from 'vitest';
import { classifyAnswer, redact } from '../../../src/providers/http.js';
import { parseNextAccessTime, parseRetryAfterHeader } from '../../../src/providers/retryAfter.js';

const now = new Date('2026-11-24T20:29:00Z');
const ctx = { provider: 'Enedis', where: 'GET /x', now };
const classify = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  classifyAnswer(
    status,
    typeof body === 'string' ? body : JSON.stringify(body),
    new Headers(headers),
    ctx,
  );

describe('classification of provider answers', () => {
  it('reads a 429 wait from nextAccessTime, and from Retry-After when both are there', () => {
    const body = {
      error: 'too_many_requests',
      error_description: 'slow down',
      nextAccessTime: '2026-11-24T21:30:00.000+01:00',
    };
    const a = classify(429, body);
    expect(a).toMatchObject({
      kind: 'rate_limited',
      status: 429,
      code: 'too_many_requests',
      retryAfterMs: 60_000,
    });
    expect(classify(429, body, { 'Retry-After': '7' }).retryAfterMs).toBe(7000);
    expect(
      classify(
        429,
        { error: 'too_many_requests' },
        { 'Retry-After': 'Tue, 24 Nov 2026 20:29:30 GMT' },
      ).retryAfterMs,
    ).toBe(30_000);
    expect(classify(429, 'busy').retryAfterMs).toBeUndefined();
  });

  it('sorts each error of the wire contract into its kind', () => {
    const cases: [number, unknown, string][] = [
      [
        403,
        {
          error: 'ADAM-DC-0008',
          error_description: 'No consent can be found for this customer and this usage point',
        },
        'consent_invalid',
      ],
      [403, { error: 'access_denied' }, 'consent_invalid'],
      [404, { error: 'no_data_found', error_description: 'nothing' }, 'no_data'],
      [
        400,
        {
          error: 'ADAM-ERR0123',
          error_description:
            "The requested period cannot be anterior to the meter's last activation date",
        },
        'bad_request',
      ],
      [
        400,
        { error: 'ADAM-ERR0069', error_description: 'The requested period must be at most 7 days' },
        'bad_request',
      ],
      [400, { error: 'ADAM-ERR0125', error_description: 'end date in the future' }, 'bad_request'],
      [400, { error: 'invalid_grant' }, 'consent_invalid'],
      [401, { error: 'invalid_token' }, 'token_expired'],
      [401, { error: 'invalid_client', error_description: 'bad client' }, 'bad_request'],
      [500, { error: 'internal' }, 'transient'],
      [502, '<html>bad gateway</html>', 'transient'],
      [503, '', 'transient'],
      [504, '', 'transient'],
    ];
    for (const [status, body, kind] of cases) {
      const e = classify(status, body);
      expect({ status, kind: e.kind }).toEqual({ status, kind });
    }
    const consent = classify(403, {
      error: 'ADAM-DC-0008',
      error_description: 'No consent can be found',
    });
    expect(consent.code).toBe('ADAM-DC-0008');
    expect(consent.message).toContain('No consent can be found');
  });

  it('calls a 404 without the provider error body a wrong URL, not missing data', () => {
    const e = classify(404, '<html>Not Found</html>');
    expect(e.kind).toBe('bad_request');
    expect(e.hint).toMatch(/URL/);
  });

  it('keeps secrets out of messages', () => {
    const e = classifyAnswer(
      400,
      JSON.stringify({ error: 'x', error_description: 'token s3cr3t-token-value refused' }),
      new Headers(),
      {
        ...ctx,
        secrets: ['s3cr3t-token-value'],
      },
    );
    expect(e.message).not.toContain('s3cr3t-token-value');
    expect(redact('a=abcdefgh', ['abcdefgh'])).toBe('a=***');
  });
});

describe('retry-after parsing', () => {
  it('reads seconds, HTTP dates and ISO instants, and ignores junk', () => {
    expect(parseRetryAfterHeader('120', now)).toBe(120_000);
    expect(parseRetryAfterHeader('soon', now)).toBeUndefined();
    expect(parseRetryAfterHeader('Tue, 24 Nov 2026 20:00:00 GMT', now)).toBe(0);
    expect(parseNextAccessTime('2026-11-24T21:29:10+01:00', now)).toBe(10_000);
    expect(parseNextAccessTime('2026-11-24 21:29:10', now)).toBeUndefined();
  });
});
