/**
 * A small collector of configuration problems: every accessor records what is wrong and
 * returns a usable fallback, so all problems are reported together at the end.
 */
import { ConfigError } from './domain/errors.js';

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

type Obj = Record<string, unknown>;

export class Validator {
  private readonly problems: string[] = [];
  constructor(private readonly source: string) {}

  problem(key: string, what: string): void {
    this.problems.push(`${key} ${what}`);
  }

  throwIfProblems(): void {
    if (this.problems.length === 0) return;
    const list = this.problems.map((p) => `  - ${p}`).join('\n');
    throw new ConfigError(`${this.source} has ${this.problems.length} problem(s):\n${list}`, {
      hint: 'fix them (see koprogo-iot.config.example.json for every key)',
    });
  }

  obj(parent: Obj, at: string, key = at.split('.').pop() as string): Obj {
    const x = parent[key];
    if (x === undefined || x === null) return {};
    if (typeof x !== 'object' || Array.isArray(x)) {
      this.problem(at, 'must be an object');
      return {};
    }
    return x as Obj;
  }

  onlyKeys(o: Obj, at: string, allowed: string[]): void {
    for (const k of Object.keys(o)) {
      // "$comment", "$schema": documentation keys, allowed everywhere.
      if (k.startsWith('$')) continue;
      if (!allowed.includes(k))
        this.problem(at ? `${at}.${k}` : k, `is not a known key (allowed: ${allowed.join(', ')})`);
    }
  }

  str(o: Obj, at: string, key: string, fallback: string | null): string | null {
    const x = o[key];
    if (x === undefined || x === null || x === '') return fallback;
    if (typeof x !== 'string') {
      this.problem(at, 'must be a string');
      return fallback;
    }
    return x;
  }

  num(o: Obj, at: string, key: string, fallback: number, min: number, max: number): number {
    const x = o[key];
    if (x === undefined || x === null) return fallback;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max) {
      this.problem(at, `must be a number from ${min} to ${max}`);
      return fallback;
    }
    return x;
  }

  optNum(
    o: Obj,
    at: string,
    key: string,
    fallback: number | undefined,
    min: number,
    max: number,
  ): number | undefined {
    if (o[key] === undefined || o[key] === null) return fallback;
    return this.num(o, at, key, fallback ?? min, min, max);
  }

  int(o: Obj, at: string, key: string, fallback: number, min: number, max: number): number {
    const x = o[key];
    if (x === undefined || x === null) return fallback;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
      this.problem(at, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return x;
  }

  bool(o: Obj, at: string, key: string, fallback: boolean): boolean {
    const x = o[key];
    if (x === undefined || x === null) return fallback;
    if (typeof x !== 'boolean') {
      this.problem(at, 'must be true or false');
      return fallback;
    }
    return x;
  }

  oneOf<T extends string>(o: Obj, at: string, key: string, allowed: readonly T[], fallback: T): T {
    const x = o[key];
    if (x === undefined || x === null) return fallback;
    if (typeof x !== 'string' || !(allowed as readonly string[]).includes(x)) {
      this.problem(at, `must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return x as T;
  }
}
