import { describe, expect, test } from 'vitest';
import { REDACTED, redactText, redactValue } from '../../../src/ui/redact.js';

const TOKEN = 'Zm9vYmFyLXNlY3JldC10b2tlbi0xMjM0NTY';

describe('redactText', () => {
  test('bearer and basic authorization values', () => {
    expect(redactText(`Authorization: Bearer ${TOKEN}`)).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText(`authorization: basic ${TOKEN}==`)).not.toContain(TOKEN);
  });

  test('query strings and form bodies', () => {
    const url = `http://127.0.0.1:8765/callback?code=${TOKEN}&state=abc&usage_point_id=12345678901234`;
    const out = redactText(url);
    expect(out).not.toContain(TOKEN);
    expect(out).toContain('state=abc');
    expect(out).toContain('usage_point_id=12345678901234');
    const form = `grant_type=client_credentials&client_id=app&client_secret=${TOKEN}`;
    expect(redactText(form)).toBe(
      `grant_type=client_credentials&client_id=app&client_secret=${REDACTED}`,
    );
    expect(redactText(`refresh_token=${TOKEN}`)).toBe(`refresh_token=${REDACTED}`);
  });

  test('JSON bodies, including escaped JSON inside a string', () => {
    const body = JSON.stringify({
      access_token: TOKEN,
      refresh_token: TOKEN,
      token_type: 'Bearer',
      expires_in: '12600',
    });
    const out = redactText(body);
    expect(out).not.toContain(TOKEN);
    expect(JSON.parse(out)).toMatchObject({ access_token: REDACTED, expires_in: '12600' });
    const nested = JSON.stringify({ body });
    expect(redactText(nested)).not.toContain(TOKEN);
  });

  test('URL-encoded redirect and inspected objects', () => {
    expect(redactText(`redirect=https%3A%2F%2Fx%2Fcb%3Fcode%3D${TOKEN}%26state%3Dz`)).not.toContain(
      TOKEN,
    );
    expect(redactText(`{ clientSecret: '${TOKEN}', id: 3 }`)).not.toContain(TOKEN);
  });

  test('leaves ordinary words alone', () => {
    const text = 'postcode=5000 exit code 6 error_code=ADAM-ERR0123 tokens=3';
    expect(redactText(text)).toBe(text);
  });
});

describe('redactValue', () => {
  test('secret keys are replaced at any depth; other fields kept', () => {
    const out = redactValue({
      device: 'd1',
      tokens: { accessToken: TOKEN, refresh_token: TOKEN },
      headers: { Authorization: `Bearer ${TOKEN}` },
      list: [`code=${TOKEN}`],
    });
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(out).toMatchObject({ device: 'd1' });
  });

  test('errors keep name, message and error codes, without secrets', () => {
    const error = Object.assign(new Error(`token call failed: client_secret=${TOKEN}`), {
      code: 'ECONNREFUSED',
    });
    const out = redactValue(error) as Record<string, unknown>;
    expect(out['name']).toBe('Error');
    expect(out['code']).toBe('ECONNREFUSED');
    expect(String(out['message'])).not.toContain(TOKEN);
  });

  test('cycles do not loop', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    expect(redactValue(a)).toEqual({ name: 'a', self: '[circular]' });
  });
});
