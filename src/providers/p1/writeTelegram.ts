/**
 * Builds P1 telegrams with a valid CRC, in the layout Fluvius (e-MUCS) and Dutch DSMR 5
 * meters use. Used by the simulator and by the parser's round-trip tests: for values at the
 * meters' resolution (Wh for registers, W for powers, 0.1 V, 0.01 A, dm³ for gas),
 * `parseTelegram(writeTelegram(t))` gives t back.
 */
import { crc16Arc, crcHex } from './crc.js';
import { formatP1Timestamp } from './p1Time.js';
import type { P1Telegram, PeakRecord, PhaseValues } from './types.js';
import { encodeEquipmentId } from './values.js';

/** Fixed-point text with a total width, as the meters pad: fixedWidth(34, 10, 3) → 000034.000. */
export function fixedWidth(value: number, width: number, decimals: number): string {
  const sign = value < 0 ? '-' : '';
  return (
    sign +
    Math.abs(value)
      .toFixed(decimals)
      .padStart(width - sign.length, '0')
  );
}

/** The text meters send for a peak with no date (a month without a recorded peak). */
const NO_DATE = '632525252525W';
const ts = (ms: number | null): string => (ms === null ? NO_DATE : formatP1Timestamp(ms));

const kwh = (v: number): string => `${fixedWidth(v, 10, 3)}*kWh`;
const kw = (v: number): string => `${fixedWidth(v, 6, 3)}*kW`;

function phaseLines(out: string[], p: PhaseValues, n: 1 | 2 | 3): void {
  const [v, a, pi, pe] = [
    [32, 52, 72],
    [31, 51, 71],
    [21, 41, 61],
    [22, 42, 62],
  ].map((codes) => codes[n - 1]);
  if (p.powerImportKw !== null) out.push(`1-0:${pi}.7.0(${kw(p.powerImportKw)})`);
  if (p.powerExportKw !== null) out.push(`1-0:${pe}.7.0(${kw(p.powerExportKw)})`);
  if (p.voltageV !== null) out.push(`1-0:${v}.7.0(${fixedWidth(p.voltageV, 5, 1)}*V)`);
  if (p.currentA !== null) out.push(`1-0:${a}.7.0(${fixedWidth(p.currentA, 6, 2)}*A)`);
}

function peakHistoryLine(h: PeakRecord[]): string {
  const entries = h.map((p) => `(${ts(p.closedAt)})(${ts(p.at)})(${kw(p.kw)})`).join('');
  return `0-0:98.1.0(${h.length})(1-0:1.6.0)(1-0:1.6.0)${entries}`;
}

/** The OBIS lines of a telegram, in the order Fluvius meters send them. */
export function telegramLines(t: P1Telegram): string[] {
  const out: string[] = [];
  if (t.version !== null) {
    out.push(t.convention === 'BE' ? `0-0:96.1.4(${t.version})` : `1-3:0.2.8(${t.version})`);
  }
  if (t.equipmentId !== null) out.push(`0-0:96.1.1(${encodeEquipmentId(t.equipmentId)})`);
  if (t.timestamp !== null) out.push(`0-0:1.0.0(${formatP1Timestamp(t.timestamp)})`);
  if (t.importT1Kwh !== null) out.push(`1-0:1.8.1(${kwh(t.importT1Kwh)})`);
  if (t.importT2Kwh !== null) out.push(`1-0:1.8.2(${kwh(t.importT2Kwh)})`);
  if (t.exportT1Kwh !== null) out.push(`1-0:2.8.1(${kwh(t.exportT1Kwh)})`);
  if (t.exportT2Kwh !== null) out.push(`1-0:2.8.2(${kwh(t.exportT2Kwh)})`);
  if (t.tariff !== null) out.push(`0-0:96.14.0(${String(t.tariff).padStart(4, '0')})`);
  if (t.demandKw !== null) out.push(`1-0:1.4.0(${kw(t.demandKw)})`);
  if (t.monthPeak !== null) out.push(`1-0:1.6.0(${ts(t.monthPeak.at)})(${kw(t.monthPeak.kw)})`);
  if (t.peakHistory.length > 0) out.push(peakHistoryLine(t.peakHistory));
  if (t.powerImportKw !== null) out.push(`1-0:1.7.0(${kw(t.powerImportKw)})`);
  if (t.powerExportKw !== null) out.push(`1-0:2.7.0(${kw(t.powerExportKw)})`);
  phaseLines(out, t.l1, 1);
  phaseLines(out, t.l2, 2);
  phaseLines(out, t.l3, 3);
  for (const u of t.unknown) out.push(`${u.obis}${u.raw}`);
  for (const d of t.mbus) {
    const n = d.channel;
    if (d.deviceType !== null) out.push(`0-${n}:24.1.0(${String(d.deviceType).padStart(3, '0')})`);
    if (d.equipmentId !== null) out.push(`0-${n}:96.1.1(${encodeEquipmentId(d.equipmentId)})`);
    if (d.reading !== null) {
      // e-MUCS sends gas as 24.2.3 and water as 24.2.1; Dutch DSMR uses 24.2.1 for gas.
      const code = t.convention === 'BE' && d.kind === 'gas' ? '24.2.3' : '24.2.1';
      const value = `${fixedWidth(d.reading.value, 9, 3)}*${d.reading.unit}`;
      out.push(`0-${n}:${code}(${ts(d.reading.at)})(${value})`);
    }
  }
  return out;
}

/** Frames lines into a telegram: header, blank line, lines, '!' and the CRC, CRLF line ends. */
export function frameTelegram(header: string, lines: readonly string[]): string {
  const body = `/${header}\r\n\r\n${lines.map((l) => `${l}\r\n`).join('')}!`;
  return `${body}${crcHex(crc16Arc(body))}\r\n`;
}

export function writeTelegram(t: P1Telegram): string {
  return frameTelegram(t.header, telegramLines(t));
}
