import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { encodeRelayState, randomState } from '../../../src/auth/pkce.js';

const html = readFileSync(new URL('../../../docs/relay.html', import.meta.url), 'utf8');
const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';

/** Runs the page's script as a browser would on `search`; returns where it went or what it said. */
function visit(search: string): { forwardedTo?: string; shown: string } {
  let forwardedTo: string | undefined;
  const texts: Record<string, string> = {};
  runInNewContext(script, {
    URLSearchParams,
    location: {
      search,
      replace: (url: string) => {
        forwardedTo = url;
      },
    },
    document: {
      getElementById: (id: string) => ({
        set textContent(text: string) {
          texts[id] = text;
        },
      }),
    },
  });
  return { forwardedTo, shown: Object.values(texts).join(' ') };
}

describe('docs/relay.html', () => {
  it('forwards the whole query to the loopback port carried in the state', () => {
    const state = encodeRelayState(randomState(), 53127);
    const search = `?code=abc%2Fdef&state=${state}&usage_point_id=12345678901234`;
    expect(visit(search)).toEqual({
      forwardedTo: `http://127.0.0.1:53127/callback${search}`,
      shown: '',
    });
  });

  it('forwards provider errors too, so the terminal learns of a refusal', () => {
    const state = encodeRelayState(randomState(), 1024);
    const search = `?error=access_denied&state=${state}`;
    expect(visit(search).forwardedTo).toBe(`http://127.0.0.1:1024/callback${search}`);
  });

  it('refuses ports outside 1024-65535', () => {
    for (const port of ['80', '1023', '65536', '99999']) {
      const result = visit(`?code=x&state=${'a'.repeat(20)}.${port}`);
      expect(result.forwardedTo).toBeUndefined();
      expect(result.shown).toContain('port outside 1024-65535');
    }
  });

  it('refuses states with characters that are not URL-safe, or too long', () => {
    for (const state of [
      `${'a'.repeat(20)}%3Cscript%3E.8080`,
      `${'a'.repeat(20)}.8080%2F%2Fevil.example`,
      `${'a'.repeat(20)}.8080%40evil.example`,
      `${'a'.repeat(95)}.8080`,
      `${'a'.repeat(20)}_8080`,
    ]) {
      const result = visit(`?code=x&state=${state}`);
      expect(result.forwardedTo).toBeUndefined();
      expect(result.shown).toContain('not one koprogo-iot makes');
    }
  });

  it('says so when the answer has no state', () => {
    const result = visit('?code=x');
    expect(result.forwardedTo).toBeUndefined();
    expect(result.shown).toContain('no state');
  });

  it('declares the hash of its script in its Content-Security-Policy', () => {
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
  });
});
