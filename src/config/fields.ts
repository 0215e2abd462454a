/**
 * Building blocks of the configuration schema. Each field carries the one-line message the
 * user sees after its key path ("sync.overlapDays must be an integer from 0 to 60"), and
 * treats null and "" as "not set", so a `${VAR}` whose variable is unset falls back to the
 * default and the example file may spell unset keys as null.
 */
import { z } from 'zod';

/** null and "" mean "not set": the key's default applies. */
function unset(value: unknown): unknown {
  return value === null || value === '' ? undefined : value;
}

/** Keys starting with "$" ("$comment", "$schema") are documentation, allowed in every object. */
export function withoutDocKeys(value: unknown): unknown {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')));
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A strict object: an unknown key is a problem naming the keys allowed there. */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `is not a known key (allowed: ${allowed})`
        : 'must be an object',
  });
}

/**
 * A strict object whose "$" keys are comments. Missing or null means an empty object, so
 * every default inside applies.
 */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.preprocess(withoutDocKeys, strictObject(shape));
}

/** Not set (missing, null or ""): undefined. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(unset, schema.optional());
}

/** Not set (missing, null or ""): the default. */
export function withDefault<T extends z.ZodType>(schema: T, value: z.output<T>) {
  // A fresh copy each time: a parsed configuration never shares a default array or object.
  return z.preprocess(unset, schema.default((() => structuredClone(value)) as never));
}

export function int(min: number, max: number) {
  const error = `must be an integer from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function num(min: number, max: number) {
  const error = `must be a number from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A number strictly above `above` (a percentage of a baseline must exceed 100). */
export function numAbove(above: number, max: number) {
  const error = `must be a number above ${above} and at most ${max}`;
  return z.number({ error }).gt(above, { error }).max(max, { error });
}

export function bool() {
  return z.boolean({ error: 'must be true or false' });
}

export function str() {
  return z.string({
    error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string'),
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

export function httpUrl() {
  return str().refine((s) => /^https?:\/\//.test(s), {
    error: (iss) => `"${String(iss.input)}" must be an http(s) URL`,
  });
}

export function timeZone() {
  return str().refine(isValidTimeZone, {
    error: (iss) => `"${String(iss.input)}" is not an IANA time zone (e.g. Europe/Brussels)`,
  });
}
