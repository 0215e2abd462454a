/**
 * Removes secrets from text and values before they are logged or shown: bearer tokens,
 * OAuth access and refresh tokens, authorization codes, client secrets, PKCE verifiers,
 * in the forms they travel in (query strings and form bodies, JSON, `Bearer xxx`,
 * inspected objects, URL-encoded redirect URIs). The replacement keeps the name, so a
 * log still says which parameter was there.
 */

export const REDACTED = '[redacted]';

/** Names whose value is always a secret. `code` is handled apart: it is a common word. */
const SECRET_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'code_verifier',
  'accessToken',
  'refreshToken',
  'idToken',
  'clientSecret',
  'codeVerifier',
];
const NAMES = [...SECRET_NAMES, 'code'].join('|');
const SECRETS = SECRET_NAMES.join('|');

interface Rule {
  pattern: RegExp;
  replace: string;
}

const RULES: Rule[] = [
  // Authorization header values: Bearer tokens, and Basic credentials (client id:secret).
  { pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, replace: `$1 ${REDACTED}` },
  // JSON: "access_token": "…", "code": "…" (also numbers), and the escaped form found
  // when a body was itself embedded in a JSON string.
  {
    pattern: new RegExp(`("(?:${NAMES})"\\s*:\\s*)(?:"(?:[^"\\\\]|\\\\.)*"|[^,}\\]\\s]+)`, 'g'),
    replace: `$1"${REDACTED}"`,
  },
  {
    pattern: new RegExp(`(\\\\"(?:${NAMES})\\\\"\\s*:\\s*)\\\\"(?:(?!\\\\").)*\\\\"`, 'g'),
    replace: `$1\\"${REDACTED}\\"`,
  },
  // Query strings and form bodies: ?code=…&state=…, grant_type=…&client_secret=…
  {
    pattern: new RegExp(`(^|[?&#;,\\s])(${NAMES})=[^&\\s#;,"']*`, 'g'),
    replace: `$1$2=${REDACTED}`,
  },
  // The same inside a URL-encoded redirect_uri or state.
  {
    pattern: new RegExp(`((?:%3F|%26)(?:${NAMES})%3D)(?:(?!%26)[^&\\s"'])*`, 'gi'),
    replace: `$1${REDACTED}`,
  },
  // Inspected objects and loose text: access_token: 'xyz', clientSecret=xyz.
  {
    pattern: new RegExp(`\\b(${SECRETS})(['"]?\\s*[:=]\\s*['"]?)[^'"\\s,&;}]+`, 'g'),
    replace: `$1$2${REDACTED}`,
  },
  // A JWT wherever it appears.
  { pattern: /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, replace: REDACTED },
];

/**
 * The text with every secret found by its form (parameter names, Bearer, JWT) replaced by
 * [redacted]. (The providers redact the values they know instead.)
 */
export function redactText(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule.pattern, rule.replace);
  return out;
}

/** Field names (compared without case, '_' or '-') whose value is never logged. */
const SECRET_KEYS = new Set([
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'clientsecret',
  'code',
  'codeverifier',
  'authorization',
  'password',
  'secret',
  'token',
  'apikey',
  'encryptionkey',
  'cookie',
  'setcookie',
]);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
}

const MAX_DEPTH = 6;

/**
 * A copy of a value safe to log: strings redacted, values under secret keys replaced,
 * errors reduced to name and message, cycles cut.
 */
export function redactValue(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (value instanceof URL) return redactText(value.toString());
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (value instanceof Error) return redactError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key) && item !== undefined ? REDACTED : walk(item, depth + 1, seen);
  }
  return out;
}

function redactError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: redactText(error.message) };
  // Typed errors carry their meaning in a few own fields (kind, status, exitCode, hint).
  // An error's `code` is a diagnosis (ECONNREFUSED, ADAM-ERR0123), not an OAuth code.
  for (const [key, item] of Object.entries(error)) {
    if (key === 'cause' || key === 'stack') continue;
    out[key] = isSecretKey(key) && key !== 'code' ? REDACTED : walk(item, depth + 1, seen);
  }
  if (error.cause !== undefined) out['cause'] = walk(error.cause, depth + 1, seen);
  return out;
}
