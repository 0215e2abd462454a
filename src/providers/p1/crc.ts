/**
 * CRC-16/ARC as the P1 companion standards (DSMR 5.0.2 §6.2, e-MUCS P1 §5) prescribe:
 * polynomial 0x8005 processed reflected (0xA001), initial value 0, no final XOR, computed
 * over every byte from the leading '/' to the '!' inclusive and sent as 4 hex digits.
 */
const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
}

/**
 * CRC of the characters text[from, to) read as bytes. Telegrams are ASCII; a text decoded
 * as latin1 keeps one character per byte, so charCodeAt is the byte.
 */
export function crc16Arc(text: string, from = 0, to = text.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc = (crc >>> 8) ^ (TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number);
  }
  return crc;
}

/** The 4 upper-case hex digits a telegram carries after its '!'. */
export function crcHex(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(4, '0');
}
