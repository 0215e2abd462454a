/**
 * Malformed answers for fault injection: what a flaky gateway or a provider bug returns
 * with a 200. Three variants, so a parser is tried on each: an HTML page, JSON of another
 * shape, and the expected shape with values that are not numbers.
 */
import type { Answer } from './http.js';

/** Replaces every "v" / "value" inside the first array of readings found. */
function corruptValues(node: unknown): boolean {
  if (Array.isArray(node)) {
    let done = false;
    for (const item of node) {
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        const rec = item as Record<string, unknown>;
        for (const key of ['v', 'value']) {
          if (key in rec) {
            rec[key] = 'n/a';
            done = true;
          }
        }
      }
    }
    if (done) return true;
    return node.some((item) => corruptValues(item));
  }
  if (node && typeof node === 'object') {
    return Object.values(node as Record<string, unknown>).some((v) => corruptValues(v));
  }
  return false;
}

export function corruptAnswer(answer: Answer, variant: number): Answer {
  const kind = variant % 3;
  if (kind === 0) {
    return {
      status: 200,
      text: '<html><head><title>Maintenance</title></head><body>Service en maintenance</body></html>',
      contentType: 'text/html; charset=utf-8',
    };
  }
  if (kind === 1) return { status: 200, json: { status: 'OK', data: null } };
  const copy = JSON.parse(JSON.stringify(answer.json ?? {})) as unknown;
  if (!corruptValues(copy)) return { status: 200, json: { status: 'OK', data: null } };
  return { status: 200, json: copy };
}
