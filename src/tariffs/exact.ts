/**
 * Exact arithmetic for money: a fraction of two bigints. Prices are decimals of at most six
 * places and quantities are integers of micro-kWh, so every product and sum is exact; the
 * only rounding is to the cent, once per bill line (see roundToCents).
 */

export interface Exact {
  readonly num: bigint;
  /** Always positive. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

export function exact(num: bigint, den: bigint = 1n): Exact {
  if (den === 0n) throw new RangeError('division by zero');
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

export const ZERO: Exact = exact(0n);

export function add(a: Exact, b: Exact): Exact {
  return exact(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function sum(xs: Iterable<Exact>): Exact {
  let s = ZERO;
  for (const x of xs) s = add(s, x);
  return s;
}

export function mul(a: Exact, b: Exact): Exact {
  return exact(a.num * b.num, a.den * b.den);
}

export function div(a: Exact, b: Exact): Exact {
  return exact(a.num * b.den, a.den * b.num);
}

export function neg(a: Exact): Exact {
  return { num: -a.num, den: a.den };
}

export function equals(a: Exact, b: Exact): boolean {
  return a.num === b.num && a.den === b.den;
}

export function compare(a: Exact, b: Exact): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function max(a: Exact, b: Exact): Exact {
  return compare(a, b) >= 0 ? a : b;
}

const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

/** True when a config value is a decimal we take exactly: a string or number, ≤ 6 places. */
export function isExactDecimal(value: string | number, places = 6): boolean {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = text === null ? null : DECIMAL_RE.exec(text);
  return !!m && (m[3] ?? '').length <= places;
}

/** A JSON number as the decimal a person wrote (0.2516, not 0.25159999…), or null. */
function numberText(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const s = String(n);
  return /e/i.test(s) ? null : s;
}

/** Parses a decimal written as a string ("0.2516") or a JSON number (0.2516) exactly. */
export function decimal(value: string | number): Exact {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const m = text === null ? null : DECIMAL_RE.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${String(value)}`);
  const frac = m[3] ?? '';
  const n = BigInt(`${m[2]}${frac}`) * (m[1] === '-' ? -1n : 1n);
  return exact(n, 10n ** BigInt(frac.length));
}

/** Micro-units (micro-kWh, micro-kW) to an exact value in the unit. */
export function fromMicro(micro: number | bigint): Exact {
  return exact(BigInt(micro), 1_000_000n);
}

/**
 * Rounds to an integer number of `1/scale` units, halves away from zero (0.005 € → 0.01 €,
 * −0.005 € → −0.01 €): the rule French and Belgian invoices state for each line.
 */
export function roundTo(a: Exact, scale: bigint): bigint {
  const n = a.num * scale;
  const q = n / a.den;
  const r = n % a.den;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= a.den) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** Rounds an amount in euros to cents (halves away from zero). */
export function roundToCents(a: Exact): number {
  return Number(roundTo(a, 100n));
}

/** An exact value as a decimal string with `places` places (rounded halves away from zero). */
export function toFixed(a: Exact, places: number): string {
  const scaled = roundTo(a, 10n ** BigInt(places));
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0');
  const int = digits.slice(0, digits.length - places);
  const frac = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return `${negative ? '-' : ''}${int}${frac}`;
}

/** An exact value as the shortest decimal string, when it has at most `maxPlaces` places. */
export function toDecimalString(a: Exact, maxPlaces = 6): string {
  const fixed = toFixed(a, maxPlaces);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Cents as a euro string: 1234 → "12.34", -5 → "-0.05". */
export function centsText(cents: number): string {
  return toFixed(exact(BigInt(cents), 100n), 2);
}

export function toNumber(a: Exact): number {
  return Number(a.num) / Number(a.den);
}
