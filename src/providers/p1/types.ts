/**
 * A P1 telegram once parsed: the registers a building manager needs, in their units, with
 * every instant in UTC milliseconds. Fields a meter did not send are null.
 */

/**
 * Which tariff numbering the meter uses for 0-0:96.14.0 and the .1/.2 registers.
 * Belgium (e-MUCS): 1 = day (peak), 2 = night. The Netherlands (DSMR): 1 = low (night),
 * 2 = normal (day). The numbers are the same registers; only their meaning is reversed.
 */
export type TariffConvention = 'BE' | 'NL';
export type TariffPeriod = 'day' | 'night';

export interface PhaseValues {
  /** 1-0:32.7.0 / 52.7.0 / 72.7.0 */
  voltageV: number | null;
  /** 1-0:31.7.0 / 51.7.0 / 71.7.0 */
  currentA: number | null;
  /** 1-0:21.7.0 / 41.7.0 / 61.7.0 */
  powerImportKw: number | null;
  /** 1-0:22.7.0 / 42.7.0 / 62.7.0 */
  powerExportKw: number | null;
}

/** What an M-Bus device type (0-n:24.1.0) says the device measures. */
export type MbusKind = 'gas' | 'water' | 'heat' | 'other';

export interface MbusReading {
  /** When the sub-meter took the reading (its own clock, hourly or every 5 minutes). */
  at: number | null;
  value: number;
  unit: string;
}

export interface MbusDevice {
  /** n in 0-n:… (1 to 4). */
  channel: number;
  /** 0-n:24.1.0: 3 = gas, 7 = water, 4 = heat (EN 13757-3 device types). */
  deviceType: number | null;
  kind: MbusKind;
  /** 0-n:96.1.0 or 0-n:96.1.1, hex-decoded when it is hex-encoded ASCII. */
  equipmentId: string | null;
  /** 0-n:24.2.1 or 0-n:24.2.3. */
  reading: MbusReading | null;
}

export interface PeakRecord {
  /**
   * 0-0:98.1.0 only: when the month's record was closed, i.e. local midnight starting the
   * next month (`200501000000S` holds April's peak), or null.
   */
  closedAt: number | null;
  /** End of the quarter-hour of the peak, or null when the meter gives a placeholder. */
  at: number | null;
  kw: number;
}

export interface UnknownLine {
  obis: string;
  /** Everything after the OBIS code, as sent: `(…)(…)`. */
  raw: string;
}

export interface P1Telegram {
  /** The identification line without the leading '/': `FLU5\253769484_A`, `ISK5\2M550T-1012`. */
  header: string;
  convention: TariffConvention;
  /** 0-0:96.1.4 (e-MUCS) or 1-3:0.2.8 (DSMR): `50217`, `50`. */
  version: string | null;
  /** 0-0:96.1.1, decoded from hex-encoded ASCII when it is such. */
  equipmentId: string | null;
  /** 0-0:1.0.0: the instant the meter wrote the telegram. */
  timestamp: number | null;
  /** 1-0:1.8.1 and 1-0:1.8.2, offtake (kWh, cumulative). */
  importT1Kwh: number | null;
  importT2Kwh: number | null;
  /** 1-0:2.8.1 and 1-0:2.8.2, injection (kWh, cumulative). */
  exportT1Kwh: number | null;
  exportT2Kwh: number | null;
  /** 0-0:96.14.0 as a number (1 or 2). */
  tariff: number | null;
  /** The tariff's meaning under the meter's convention. */
  tariffPeriod: TariffPeriod | null;
  /** 1-0:1.7.0 and 1-0:2.7.0 (kW). */
  powerImportKw: number | null;
  powerExportKw: number | null;
  /** 1-0:1.4.0: average demand of the quarter-hour in progress (kW, Belgium). */
  demandKw: number | null;
  /** 1-0:1.6.0: this month's highest quarter-hour demand (Belgium). */
  monthPeak: PeakRecord | null;
  /** 0-0:98.1.0: the peaks of the previous months, oldest first (Belgium). */
  peakHistory: PeakRecord[];
  l1: PhaseValues;
  l2: PhaseValues;
  l3: PhaseValues;
  mbus: MbusDevice[];
  /** Codes this parser does not interpret, kept as sent. */
  unknown: UnknownLine[];
}

export type RejectReason =
  | 'no_start'
  | 'no_end'
  | 'bad_crc_format'
  | 'crc_mismatch'
  | 'bad_header'
  /** A dongle's JSON message that is not JSON, or not a format we read. */
  | 'bad_json'
  | 'unknown_json';

export type ParseResult =
  { ok: true; telegram: P1Telegram } | { ok: false; reason: RejectReason; detail: string };
