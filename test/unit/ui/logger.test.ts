import { describe, expect, test } from 'vitest';
import { createLogger } from '../../../src/ui/logger.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhcHAifQ.c2lnbmF0dXJlLXZhbHVl';

function capture(): { write(chunk: string): void; lines: () => string[] } {
  const chunks: string[] = [];
  return {
    write: (chunk) => void chunks.push(chunk),
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}

const at = new Date(2026, 9, 25, 21, 3, 5);

describe('createLogger', () => {
  test('json: one parseable object per line with time, level, msg and fields', () => {
    const stream = capture();
    const log = createLogger({ stream, json: true, level: 'info', color: false, now: () => at });
    log.info('synced device', { device: '12345678901234', readings: 1440 });
    log.warn('rate limited', { retryAfterMs: 2000 });
    const [first, second] = stream.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toEqual({
      time: at.toISOString(),
      level: 'info',
      msg: 'synced device',
      device: '12345678901234',
      readings: 1440,
    });
    expect(second).toMatchObject({ level: 'warn', retryAfterMs: 2000 });
  });

  test('json lines contain no token after redaction, whatever the caller passes', () => {
    const stream = capture();
    const log = createLogger({ stream, json: true, level: 'debug', color: false });
    log.debug(`GET /token answered {"access_token":"${TOKEN}","expires_in":"12600"}`);
    log.info('callback received', { url: `http://127.0.0.1:9000/callback?code=${TOKEN}&state=s` });
    log.error('token refresh failed', {
      err: new Error(`Bearer ${TOKEN} rejected`),
      refresh_token: TOKEN,
      body: { client_secret: TOKEN },
    });
    const lines = stream.lines();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(TOKEN);
    }
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ msg: 'callback received' });
  });

  test('readable lines: clock, padded level, message, key=value fields', () => {
    const stream = capture();
    const log = createLogger({ stream, json: false, level: 'info', color: false, now: () => at });
    log.info('synced device', { device: 'linky-1', readings: 1440, note: 'two words' });
    expect(stream.lines()).toEqual([
      '21:03:05 INFO  synced device device=linky-1 readings=1440 note="two words"',
    ]);
  });

  test('messages below the level are dropped', () => {
    const stream = capture();
    const log = createLogger({ stream, json: true, level: 'warn', color: false });
    log.debug('noise');
    log.info('noise');
    log.warn('kept');
    log.error('kept too');
    expect(stream.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'kept',
      'kept too',
    ]);
    expect(log.isEnabled('debug')).toBe(false);
  });

  test('child loggers add their fields to every line; fields cannot replace msg', () => {
    const stream = capture();
    const root = createLogger({ stream, json: true, level: 'info', color: false });
    const child = root.child({ device: 'linky-1', run: 7 });
    child.info('window done', { msg: 'spoof', readings: 336 });
    expect(JSON.parse(stream.lines()[0] ?? '{}')).toMatchObject({
      msg: 'window done',
      field_msg: 'spoof',
      device: 'linky-1',
      run: 7,
      readings: 336,
    });
  });

  test('colour on a terminal marks the level; json stays plain', () => {
    const tty = capture();
    createLogger({ stream: tty, json: false, level: 'info', color: true }).error('failed');
    expect(tty.lines()[0]).toContain('\x1b[31m');
    const json = capture();
    createLogger({ stream: json, json: true, level: 'info', color: true }).error('failed');
    expect(json.lines()[0]).not.toContain('\x1b[');
  });
});
