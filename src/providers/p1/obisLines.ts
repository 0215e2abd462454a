/**
 * What each OBIS code of a P1 telegram means (DSMR 5.0.2 P1 companion standard §6.12,
 * e-MUCS P1 1.7.1 §5). Lines this table does not know are kept as sent.
 */
import { parseP1Timestamp } from './p1Time.js';
import type {
  MbusDevice,
  MbusKind,
  P1Telegram,
  PeakRecord,
  PhaseValues,
  TariffConvention,
} from './types.js';
import { decodeEquipmentId, groups, kilowattHours, kilowatts, quantity } from './values.js';

const emptyPhase = (): PhaseValues => ({
  voltageV: null,
  currentA: null,
  powerImportKw: null,
  powerExportKw: null,
});

export function emptyTelegram(header: string, convention: TariffConvention): P1Telegram {
  return {
    header,
    convention,
    version: null,
    equipmentId: null,
    timestamp: null,
    importT1Kwh: null,
    importT2Kwh: null,
    exportT1Kwh: null,
    exportT2Kwh: null,
    tariff: null,
    tariffPeriod: null,
    powerImportKw: null,
    powerExportKw: null,
    demandKw: null,
    monthPeak: null,
    peakHistory: [],
    l1: emptyPhase(),
    l2: emptyPhase(),
    l3: emptyPhase(),
    mbus: [],
    unknown: [],
  };
}

/** EN 13757-3 device types as P1 meters report them in 0-n:24.1.0. */
export function mbusKind(deviceType: number | null): MbusKind {
  if (deviceType === 3) return 'gas';
  if (deviceType === 7 || deviceType === 6) return 'water';
  if (deviceType === 4 || deviceType === 12) return 'heat';
  return 'other';
}

function mbusDevice(t: P1Telegram, channel: number): MbusDevice {
  let d = t.mbus.find((m) => m.channel === channel);
  if (!d) {
    d = { channel, deviceType: null, kind: 'other', equipmentId: null, reading: null };
    t.mbus.push(d);
  }
  return d;
}

/** 0-0:98.1.0: `(n)(1-0:1.6.0)(1-0:1.6.0)` then n × `(month start)(peak time)(kW)`. */
function peakHistory(g: string[]): PeakRecord[] | null {
  const count = Number(g[0]);
  if (!Number.isInteger(count) || g.length !== 3 + count * 3) return null;
  const out: PeakRecord[] = [];
  for (let i = 0; i < count; i++) {
    const q = quantity(g[3 + i * 3 + 2]);
    if (!q) return null;
    out.push({
      closedAt: parseP1Timestamp(g[3 + i * 3] ?? ''),
      at: parseP1Timestamp(g[3 + i * 3 + 1] ?? ''),
      kw: kilowatts(q) as number,
    });
  }
  return out;
}

const PHASE_FIELDS: Record<string, [1 | 2 | 3, keyof PhaseValues]> = {
  '32.7.0': [1, 'voltageV'],
  '52.7.0': [2, 'voltageV'],
  '72.7.0': [3, 'voltageV'],
  '31.7.0': [1, 'currentA'],
  '51.7.0': [2, 'currentA'],
  '71.7.0': [3, 'currentA'],
  '21.7.0': [1, 'powerImportKw'],
  '41.7.0': [2, 'powerImportKw'],
  '61.7.0': [3, 'powerImportKw'],
  '22.7.0': [1, 'powerExportKw'],
  '42.7.0': [2, 'powerExportKw'],
  '62.7.0': [3, 'powerExportKw'],
};

/** Electricity codes `1-0:…`; true when the line was understood. */
function electricity(t: P1Telegram, code: string, g: string[]): boolean {
  const q = quantity(g[0]);
  switch (code) {
    case '1.8.1':
      return (t.importT1Kwh = kilowattHours(q)) !== null;
    case '1.8.2':
      return (t.importT2Kwh = kilowattHours(q)) !== null;
    case '2.8.1':
      return (t.exportT1Kwh = kilowattHours(q)) !== null;
    case '2.8.2':
      return (t.exportT2Kwh = kilowattHours(q)) !== null;
    case '1.7.0':
      return (t.powerImportKw = kilowatts(q)) !== null;
    case '2.7.0':
      return (t.powerExportKw = kilowatts(q)) !== null;
    case '1.4.0':
      return (t.demandKw = kilowatts(q)) !== null;
    case '1.6.0': {
      const kw = kilowatts(quantity(g[1]));
      if (kw === null) return false;
      t.monthPeak = { closedAt: null, at: parseP1Timestamp(g[0] ?? ''), kw };
      return true;
    }
  }
  const phase = PHASE_FIELDS[code];
  if (!phase || !q) return false;
  const target = phase[0] === 1 ? t.l1 : phase[0] === 2 ? t.l2 : t.l3;
  target[phase[1]] =
    phase[1] === 'powerImportKw' || phase[1] === 'powerExportKw' ? kilowatts(q) : q.value;
  return true;
}

/** M-Bus codes `0-n:…` with n ≥ 1; true when the line was understood. */
function mbusLine(t: P1Telegram, channel: number, code: string, g: string[]): boolean {
  if (code === '24.1.0') {
    const type = Number(g[0]);
    if (!Number.isInteger(type)) return false;
    const d = mbusDevice(t, channel);
    d.deviceType = type;
    d.kind = mbusKind(type);
    return true;
  }
  if (code === '96.1.0' || code === '96.1.1') {
    mbusDevice(t, channel).equipmentId = decodeEquipmentId(g[0] ?? '');
    return true;
  }
  if (code === '24.2.1' || code === '24.2.3') {
    const q = quantity(g[1]);
    if (!q) return false;
    // A device that is configured but absent sends `(700101010000W)(00000000)`: no unit.
    if (q.unit === '') return true;
    const d = mbusDevice(t, channel);
    d.reading = { at: parseP1Timestamp(g[0] ?? ''), value: q.value, unit: q.unit };
    // Without a device type line the code tells: e-MUCS gas is 24.2.3 and water 24.2.1;
    // Dutch DSMR sends gas as 24.2.1.
    if (d.deviceType === null) {
      d.kind = code === '24.2.3' || t.convention === 'NL' ? 'gas' : 'water';
    }
    return true;
  }
  return false;
}

/** Reads one OBIS line into the telegram; lines not understood go to `unknown`. */
export function interpretLine(t: P1Telegram, line: string): void {
  const open = line.indexOf('(');
  const obis = open < 0 ? line : line.slice(0, open);
  const rest = open < 0 ? '' : line.slice(open);
  const g = groups(rest);
  let understood = false;
  const colon = obis.indexOf(':');
  if (colon > 0 && g.length > 0) {
    const medium = obis.slice(0, colon);
    const code = obis.slice(colon + 1);
    if (medium === '1-0') understood = electricity(t, code, g);
    else if (medium === '0-0') understood = general(t, code, g);
    else if (medium === '1-3' && code === '0.2.8') {
      t.version = g[0] ?? null;
      understood = true;
    } else if (medium.startsWith('0-') && (code.startsWith('24.') || code.startsWith('96.1.'))) {
      const channel = Number(medium.slice(2));
      if (Number.isInteger(channel) && channel >= 1) understood = mbusLine(t, channel, code, g);
    }
  }
  if (!understood) t.unknown.push({ obis, raw: rest });
}

function general(t: P1Telegram, code: string, g: string[]): boolean {
  switch (code) {
    case '96.1.4':
      t.version = g[0] ?? null;
      return true;
    case '96.1.1':
      t.equipmentId = decodeEquipmentId(g[0] ?? '');
      return true;
    case '1.0.0':
      t.timestamp = parseP1Timestamp(g[0] ?? '');
      return t.timestamp !== null;
    case '96.14.0': {
      const n = Number(g[0]);
      if (!Number.isInteger(n)) return false;
      t.tariff = n;
      return true;
    }
    case '98.1.0': {
      const h = peakHistory(g);
      if (!h) return false;
      t.peakHistory = h;
      return true;
    }
  }
  return false;
}
