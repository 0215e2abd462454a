import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSimulator } from '../../../src/commands/simulator.js';
import type { Simulator } from '../../../src/simulator/server.js';

function sink(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      buf += chunk.toString();
      done();
    },
  });
  return { stream, text: () => buf };
}

describe('koprogo-iot simulator', () => {
  it('prints its URL and env lines, serves, and stops cleanly on a stop signal', async () => {
    const out = sink();
    const err = sink();
    const stop = new AbortController();
    let sim: Simulator | undefined;
    let served: unknown;
    const running = runSimulator(
      { seed: '3', enedisPerSecond: '10' },
      {
        stdout: out.stream,
        stderr: err.stream,
        signal: stop.signal,
        onListening: (s) => {
          sim = s;
          void fetch(`${s.url}/_sim/meters`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"provider":"enedis","count":2}',
          })
            .then((r) => r.json())
            .then(
              (j) => {
                served = j;
                stop.abort();
              },
              () => stop.abort(),
            );
        },
      },
    );
    await running;
    const url = sim!.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.text().split('\n')).toEqual([
      url,
      `KOPROGO_IOT_ENEDIS_BASE_URL=${url}`,
      `KOPROGO_IOT_ORES_BASE_URL=${url}`,
      '',
    ]);
    expect(served).toHaveLength(2);
    expect(err.text()).toContain('stopped');
    await expect(fetch(`${url}/_sim/stats`)).rejects.toThrow();
  });
});
