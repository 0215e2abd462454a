/**
 * The pieces of an OBIS line: `ID(value*unit)(…)`. Plain string scanning: the parser runs
 * once a second per meter, and tens of thousands of times a second in a backlog or a bench.
 */

/** The parenthesised groups of a line after its OBIS code: `(a)(b*kW)` → ['a', 'b*kW']. */
export function groups(rest: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < rest.length) {
    if (rest.charCodeAt(i) !== 40 /* ( */) break;
    const close = rest.indexOf(')', i + 1);
    if (close < 0) break;
    out.push(rest.slice(i + 1, close));
    i = close + 1;
  }
  return out;
}

export interface Quantity {
  value: number;
  unit: string;
}

/**
 * `000123.456*kWh` → { 123.456, 'kWh' }; a bare number has unit ''. Null when not a
 * number. Scanned by hand: this runs for every register of every telegram.
 */
export function quantity(group: string | undefined): Quantity | null {
  if (group === undefined || group.length === 0) return null;
  const star = group.indexOf('*');
  const end = star < 0 ? group.length : star;
  let i = group.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  let digits = 0;
  let dot = -1;
  for (; i < end; i++) {
    const c = group.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 /* . */ && dot < 0 && digits > 0) dot = i;
    else return null;
  }
  if (digits === 0 || dot === end - 1) return null;
  return { value: Number(group.slice(0, end)), unit: star < 0 ? '' : group.slice(star + 1) };
}

/** The value of a quantity in kW whether the meter wrote kW or W. */
export function kilowatts(q: Quantity | null): number | null {
  if (!q) return null;
  return q.unit === 'W' ? q.value / 1000 : q.value;
}

/** The value of a quantity in kWh whether the meter wrote kWh or Wh. */
export function kilowattHours(q: Quantity | null): number | null {
  if (!q) return null;
  return q.unit === 'Wh' ? q.value / 1000 : q.value;
}

const HEX_RE = /^(?:[0-9A-Fa-f]{2})+$/;

/**
 * Equipment identifiers are sent as hex-encoded ASCII (`3153414733…` → `1SAG3…`) by
 * Fluvius and DSMR meters; some send plain digits. Decode only when every decoded byte
 * is printable ASCII, otherwise keep the text as sent.
 */
export function decodeEquipmentId(text: string): string | null {
  if (text.length === 0) return null;
  // A meter sends the same identifiers in every telegram: decode each once.
  const known = decoded.get(text);
  if (known !== undefined) return known;
  const id = decodeHex(text);
  if (decoded.size >= 256) decoded.clear();
  decoded.set(text, id);
  return id;
}

const decoded = new Map<string, string>();

function decodeHex(text: string): string {
  if (!HEX_RE.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i += 2) {
    const b = parseInt(text.slice(i, i + 2), 16);
    if (b < 0x20 || b > 0x7e) return text;
    out += String.fromCharCode(b);
  }
  return out;
}

/** Hex-encoded ASCII, as meters send their identifiers. */
export function encodeEquipmentId(id: string): string {
  let out = '';
  for (let i = 0; i < id.length; i++) {
    out += id.charCodeAt(i).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
