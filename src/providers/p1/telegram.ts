/**
 * P1 telegram parser (DSMR 4.x/5.x, Belgian e-MUCS 1.7.x). Pure: text in, a typed telegram
 * or a rejection with its reason out. A rejected telegram is for the caller to count; it
 * must never be stored.
 *
 * Frame: `/XXX5ident CR LF CR LF (OBIS lines) ! CRC CR LF`; the CRC (CRC-16/ARC) covers
 * every byte from '/' to '!' inclusive and is sent as exactly 4 hex digits.
 */
import { crc16Arc } from './crc.js';
import { parseP1Timestamp } from './p1Time.js';
import type { ParseResult, TariffConvention } from './types.js';
import { interpretLine, emptyTelegram } from './obisLines.js';

export interface ParseOptions {
  /**
   * Tariff numbering to assume. By default: Belgian when the header is a Fluvius one
   * (`/FLU…`) or the telegram carries the e-MUCS version code 0-0:96.1.4, Dutch otherwise.
   */
  convention?: TariffConvention;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export function parseTelegram(text: string, options: ParseOptions = {}): ParseResult {
  const start = text.indexOf('/');
  if (start < 0) return { ok: false, reason: 'no_start', detail: "no '/' starting a telegram" };
  const bang = text.lastIndexOf('!');
  if (bang < start) return { ok: false, reason: 'no_end', detail: "no '!' ending the telegram" };
  const crcText = text.slice(bang + 1, bang + 5);
  const after = text.charCodeAt(bang + 5);
  let fourHex = crcText.length === 4;
  for (let i = 0; fourHex && i < 4; i++) fourHex = isHexDigit(crcText.charCodeAt(i));
  // The CRC must be followed by the line end or nothing: `!3AD7x` is a damaged frame.
  if (!fourHex || (!Number.isNaN(after) && after !== 13 && after !== 10)) {
    return {
      ok: false,
      reason: 'bad_crc_format',
      detail: `expected 4 hex digits after '!', got '${text.slice(bang + 1, bang + 7).trim()}'`,
    };
  }
  const sent = parseInt(crcText, 16);
  const computed = crc16Arc(text, start, bang + 1);
  if (sent !== computed) {
    return {
      ok: false,
      reason: 'crc_mismatch',
      detail: `CRC ${crcText.toUpperCase()} sent, ${computed.toString(16).toUpperCase().padStart(4, '0')} computed`,
    };
  }
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0 || headerEnd > bang) {
    return { ok: false, reason: 'bad_header', detail: 'no identification line' };
  }
  const header = text.slice(start + 1, headerEnd).trim();
  if (header.length < 5) {
    return {
      ok: false,
      reason: 'bad_header',
      detail: `identification line too short: '${header}'`,
    };
  }
  const body = text.slice(headerEnd + 1, bang);
  const convention =
    options.convention ?? (header.startsWith('FLU') || body.includes('0-0:96.1.4(') ? 'BE' : 'NL');
  const telegram = emptyTelegram(header, convention);
  let from = 0;
  while (from < body.length) {
    let nl = body.indexOf('\n', from);
    if (nl < 0) nl = body.length;
    let end = nl;
    if (end > from && body.charCodeAt(end - 1) === 13) end--;
    if (end > from) interpretLine(telegram, body.slice(from, end));
    from = nl + 1;
  }
  if (telegram.tariff !== null) {
    const dayCode = convention === 'BE' ? 1 : 2;
    telegram.tariffPeriod = telegram.tariff === dayCode ? 'day' : 'night';
  }
  return { ok: true, telegram };
}

export { parseP1Timestamp };
