/**
 * The JSON that common P1 dongle firmwares and readers publish, mapped onto a telegram.
 *
 * - DSMR-reader, MQTT "JSON telegram" (topic `dsmr/json` by default; fields as in its
 *   documentation, "Integration → MQTT", and its reading model): `timestamp` (ISO 8601),
 *   `electricity_delivered_1/2` and `electricity_returned_1/2` (kWh, the 1.8.x and 2.8.x
 *   registers), `electricity_currently_delivered/returned` (kW), `phase_voltage_l1..3`,
 *   `phase_power_current_l1..3`, `phase_currently_delivered_l1..3`,
 *   `extra_device_timestamp` and `extra_device_delivered` (gas, m³).
 * - HomeWizard Wi-Fi P1 meter, local API v1 `GET /api/v1/data` (api-documentation.homewizard.com,
 *   "Data" endpoint), often relayed to MQTT: `total_power_import_t1_kwh`…`_t2_kwh`,
 *   `total_power_export_t1_kwh`…, `active_tariff`, `active_power_w`, `active_voltage_l1_v`,
 *   `active_current_l1_a`, `active_power_l1_w`, `total_gas_m3` with `gas_timestamp`
 *   (YYMMDDhhmmss as a number), `unique_id` (hex), `active_power_average_w`,
 *   `montly_power_peak_w` (sic) with `montly_power_peak_timestamp`. This answer carries no
 *   telegram time, so it is dated by its arrival.
 *
 * Raw telegrams (ESPHome's `dsmr` component publishes one as its `telegram` text sensor)
 * go to parseTelegram instead.
 */
import { emptyTelegram } from './obisLines.js';
import { parseP1Timestamp } from './p1Time.js';
import type { P1Telegram, TariffConvention } from './types.js';
import { decodeEquipmentId } from './values.js';

export type DongleJsonFormat = 'dsmr-reader' | 'homewizard';

export type DongleJsonResult =
  | { ok: true; format: DongleJsonFormat; telegram: P1Telegram }
  | { ok: false; reason: 'bad_json' | 'unknown_json'; detail: string };

type Json = Record<string, unknown>;

const num = (o: Json, key: string): number | null => {
  const v = o[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
};

const kwFromW = (w: number | null): number | null => (w === null ? null : w / 1000);

function fromDsmrReader(o: Json, convention: TariffConvention): P1Telegram | null {
  const at = typeof o.timestamp === 'string' ? Date.parse(o.timestamp) : NaN;
  if (Number.isNaN(at)) return null;
  const t = emptyTelegram('dsmr-reader', convention);
  t.timestamp = at;
  t.importT1Kwh = num(o, 'electricity_delivered_1');
  t.importT2Kwh = num(o, 'electricity_delivered_2');
  t.exportT1Kwh = num(o, 'electricity_returned_1');
  t.exportT2Kwh = num(o, 'electricity_returned_2');
  t.powerImportKw = num(o, 'electricity_currently_delivered');
  t.powerExportKw = num(o, 'electricity_currently_returned');
  for (const [n, phase] of [
    [1, t.l1],
    [2, t.l2],
    [3, t.l3],
  ] as const) {
    phase.voltageV = num(o, `phase_voltage_l${n}`);
    phase.currentA = num(o, `phase_power_current_l${n}`);
    phase.powerImportKw = num(o, `phase_currently_delivered_l${n}`);
    phase.powerExportKw = num(o, `phase_currently_returned_l${n}`);
  }
  const gas = num(o, 'extra_device_delivered');
  const gasAt =
    typeof o.extra_device_timestamp === 'string' ? Date.parse(o.extra_device_timestamp) : NaN;
  if (gas !== null) {
    t.mbus.push({
      channel: 1,
      deviceType: 3,
      kind: 'gas',
      equipmentId: null,
      reading: { at: Number.isNaN(gasAt) ? null : gasAt, value: gas, unit: 'm3' },
    });
  }
  return t;
}

/** HomeWizard sends local P1 times as the number YYMMDDhhmmss, without the S/W letter. */
const hwTime = (v: number | null): number | null =>
  v === null ? null : parseP1Timestamp(String(Math.trunc(v)).padStart(12, '0'));

function fromHomeWizard(o: Json, arrivalMs: number, convention: TariffConvention): P1Telegram {
  const t = emptyTelegram(
    typeof o.meter_model === 'string' ? o.meter_model : 'homewizard',
    convention,
  );
  t.timestamp = Math.floor(arrivalMs / 1000) * 1000;
  t.version = o.smr_version === undefined ? null : String(o.smr_version);
  t.equipmentId = typeof o.unique_id === 'string' ? decodeEquipmentId(o.unique_id) : null;
  t.importT1Kwh = num(o, 'total_power_import_t1_kwh');
  t.importT2Kwh = num(o, 'total_power_import_t2_kwh');
  t.exportT1Kwh = num(o, 'total_power_export_t1_kwh');
  t.exportT2Kwh = num(o, 'total_power_export_t2_kwh');
  t.tariff = num(o, 'active_tariff');
  const power = num(o, 'active_power_w');
  if (power !== null) {
    // HomeWizard gives one signed power: negative while injecting.
    t.powerImportKw = Math.max(0, power) / 1000;
    t.powerExportKw = Math.max(0, -power) / 1000;
  }
  for (const [n, phase] of [
    [1, t.l1],
    [2, t.l2],
    [3, t.l3],
  ] as const) {
    phase.voltageV = num(o, `active_voltage_l${n}_v`);
    phase.currentA = num(o, `active_current_l${n}_a`);
    phase.powerImportKw = kwFromW(num(o, `active_power_l${n}_w`));
  }
  t.demandKw = kwFromW(num(o, 'active_power_average_w'));
  const peak = num(o, 'montly_power_peak_w');
  if (peak !== null) {
    t.monthPeak = {
      closedAt: null,
      at: hwTime(num(o, 'montly_power_peak_timestamp')),
      kw: peak / 1000,
    };
  }
  const gas = num(o, 'total_gas_m3');
  if (gas !== null) {
    t.mbus.push({
      channel: 1,
      deviceType: 3,
      kind: 'gas',
      equipmentId: typeof o.gas_unique_id === 'string' ? decodeEquipmentId(o.gas_unique_id) : null,
      reading: { at: hwTime(num(o, 'gas_timestamp')), value: gas, unit: 'm3' },
    });
  }
  return t;
}

export function parseDongleJson(
  text: string,
  arrivalMs: number,
  convention: TariffConvention = 'BE',
): DongleJsonResult {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: 'bad_json', detail: (e as Error).message };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return { ok: false, reason: 'unknown_json', detail: 'not a JSON object' };
  }
  const obj = o as Json;
  if ('electricity_delivered_1' in obj) {
    const t = fromDsmrReader(obj, convention);
    return t
      ? { ok: true, format: 'dsmr-reader', telegram: finishTariff(t) }
      : { ok: false, reason: 'unknown_json', detail: 'DSMR-reader JSON without a valid timestamp' };
  }
  if ('total_power_import_t1_kwh' in obj) {
    return {
      ok: true,
      format: 'homewizard',
      telegram: finishTariff(fromHomeWizard(obj, arrivalMs, convention)),
    };
  }
  return {
    ok: false,
    reason: 'unknown_json',
    detail:
      'neither DSMR-reader (electricity_delivered_1) nor HomeWizard (total_power_import_t1_kwh) JSON',
  };
}

function finishTariff(t: P1Telegram): P1Telegram {
  if (t.tariff !== null)
    t.tariffPeriod = t.tariff === (t.convention === 'BE' ? 1 : 2) ? 'day' : 'night';
  return t;
}
