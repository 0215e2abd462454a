/**
 * Readings: the seed's entities (device types, metric types, units) and their validation.
 * Pure: no I/O.
 */
export const DEVICE_TYPES = [
  'electricity_meter',
  'water_meter',
  'gas_meter',
  'temperature_sensor',
  'humidity_sensor',
  'power_meter',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const METRIC_TYPES = [
  'electricity_consumption',
  'electricity_production',
  /** Average demand over an interval (kW): a P1 meter's quarter-hour demand, billed in Belgium. */
  'electricity_demand',
  'water_consumption',
  'gas_consumption',
  'temperature',
  'humidity',
  'power',
  'voltage',
  // Enedis daily series, kept beside the load curve: energy per local day, and the day's
  // maximum apparent power drawn, stored at the instant of the peak.
  'electricity_consumption_daily',
  'electricity_production_daily',
  'max_power_daily',
] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** Units accepted per metric, the first being the one stored. */
export const METRIC_UNITS: Record<MetricType, readonly string[]> = {
  electricity_consumption: ['kWh', 'Wh', 'MWh'],
  electricity_production: ['kWh', 'Wh', 'MWh'],
  electricity_demand: ['kW', 'W'],
  water_consumption: ['m3', 'L'],
  gas_consumption: ['m3', 'kWh'],
  temperature: ['°C', 'C', '°F', 'F', 'K'],
  humidity: ['%', 'percent'],
  power: ['W', 'kW', 'MW'],
  voltage: ['V', 'kV'],
  electricity_consumption_daily: ['kWh', 'Wh', 'MWh'],
  electricity_production_daily: ['kWh', 'Wh', 'MWh'],
  max_power_daily: ['VA', 'kVA'],
};

/** The device type a metric is read from by default. */
export const METRIC_DEVICE: Record<MetricType, DeviceType> = {
  electricity_consumption: 'electricity_meter',
  electricity_production: 'electricity_meter',
  electricity_demand: 'electricity_meter',
  water_consumption: 'water_meter',
  gas_consumption: 'gas_meter',
  temperature: 'temperature_sensor',
  humidity: 'humidity_sensor',
  power: 'power_meter',
  voltage: 'power_meter',
  electricity_consumption_daily: 'electricity_meter',
  electricity_production_daily: 'electricity_meter',
  max_power_daily: 'electricity_meter',
};

/**
 * One interval of a load curve as the providers give it once parsed:
 * start in UTC, length in seconds, energy in kWh.
 */
export interface IntervalReading {
  start: Date;
  intervalSeconds: number;
  kwh: number;
}

/** A reading ready to be stored (value already in the metric's stored unit). */
export interface Reading {
  buildingId: string;
  /** The series: the meter's PRM for provider data, or a name given at import. */
  deviceRef: string;
  deviceType: DeviceType;
  metricType: MetricType;
  /** Start of the interval, UTC. */
  timestamp: Date;
  /** Interval length in seconds (0 for an instantaneous measurement). */
  intervalSeconds: number;
  value: number;
  unit: string;
  source: string;
}

export function isDeviceType(s: string): s is DeviceType {
  return (DEVICE_TYPES as readonly string[]).includes(s);
}
export function isMetricType(s: string): s is MetricType {
  return (METRIC_TYPES as readonly string[]).includes(s);
}

/** Stored unit of a metric. */
export function storedUnit(metric: MetricType): string {
  return METRIC_UNITS[metric][0] as string;
}

/**
 * Converts a value to the metric's stored unit and validates it with the seed's rules and
 * texts. Returns the normalised value or an error message.
 */
export function normaliseValue(
  metric: MetricType,
  value: number,
  unit: string,
): { ok: true; value: number } | { ok: false; error: string } {
  const units = METRIC_UNITS[metric];
  if (!units.includes(unit)) {
    return {
      ok: false,
      error: `Invalid unit '${unit}' for metric type '${metric}'. Valid units: ${units.join(', ')}`,
    };
  }
  if (!Number.isFinite(value)) return { ok: false, error: `Value is not a number: ${value}` };
  let v = value;
  switch (metric) {
    case 'electricity_consumption':
    case 'electricity_production':
    case 'electricity_consumption_daily':
    case 'electricity_production_daily':
      if (v < 0) return { ok: false, error: `Consumption value cannot be negative: ${value}` };
      v = unit === 'Wh' ? v / 1000 : unit === 'MWh' ? v * 1000 : v;
      if (v > 1_000_000)
        return { ok: false, error: `Consumption value too large (max 1M): ${value}` };
      return { ok: true, value: v };
    case 'electricity_demand':
      if (v < 0) return { ok: false, error: `Demand value cannot be negative: ${value}` };
      v = unit === 'W' ? v / 1000 : v;
      if (v > 100_000) return { ok: false, error: `Demand value too large (max 100 MW): ${value}` };
      return { ok: true, value: v };
    case 'water_consumption':
    case 'gas_consumption':
      if (v < 0) return { ok: false, error: `Consumption value cannot be negative: ${value}` };
      v = unit === 'L' ? v / 1000 : v;
      if (v > 1_000_000)
        return { ok: false, error: `Consumption value too large (max 1M): ${value}` };
      return { ok: true, value: v };
    case 'temperature':
      v = unit === 'F' || unit === '°F' ? ((v - 32) * 5) / 9 : unit === 'K' ? v - 273.15 : v;
      if (v < -40 || v > 80)
        return { ok: false, error: `Temperature value out of range (-40 to +80°C): ${value}` };
      return { ok: true, value: v };
    case 'humidity':
      if (v < 0 || v > 100)
        return { ok: false, error: `Humidity value out of range (0-100%): ${value}` };
      return { ok: true, value: v };
    case 'power':
      if (v < 0) return { ok: false, error: `Power value cannot be negative: ${value}` };
      v = unit === 'kW' ? v * 1000 : unit === 'MW' ? v * 1_000_000 : v;
      if (v > 100_000) return { ok: false, error: `Power value too large (max 100kW): ${value}` };
      return { ok: true, value: v };
    case 'max_power_daily':
      if (v < 0) return { ok: false, error: `Power value cannot be negative: ${value}` };
      v = unit === 'kVA' ? v * 1000 : v;
      // A low-voltage supply is at most 250 kVA (C4); twice that is surely an error.
      if (v > 500_000) return { ok: false, error: `Power value too large (max 500 kVA): ${value}` };
      return { ok: true, value: v };
    case 'voltage':
      v = unit === 'kV' ? v * 1000 : v;
      if (v < 0 || v > 500)
        return { ok: false, error: `Voltage value out of range (0-500V): ${value}` };
      return { ok: true, value: v };
  }
}

/** The seed's rule: a reading's timestamp cannot be in the future. */
export function checkNotFuture(ts: Date, now: Date): string | null {
  return ts.getTime() > now.getTime() ? 'Timestamp cannot be in the future' : null;
}

/**
 * The seed's PRM rules: digits only, of one of the given lengths (14 for a French PRM, 18 for
 * a Belgian EAN). `lengthRule` is how the lengths are told to the user.
 */
export function validatePrm(
  prm: string,
  lengths: readonly number[] = [14, 18],
  lengthRule = 'PRM must be 14 digits (France) or 18 digits (Belgium)',
): string | null {
  const p = prm.trim();
  if (p === '') return 'PRM cannot be empty';
  if (!/^[0-9]+$/.test(p)) return `PRM must contain only digits: ${p}`;
  if (!lengths.includes(p.length)) return `${lengthRule}, got ${p.length}: ${p}`;
  return null;
}

/**
 * A meter id given as free text (a P1 equipment id): printable, no spaces, at most maxLength.
 */
export function validateTextMeterId(id: string, label: string, maxLength: number): string | null {
  const t = id.trim();
  if (t === '') return `${label} cannot be empty`;
  if (t.length > maxLength) return `${label} is longer than ${maxLength} characters: ${t}`;
  if (!/^[\x21-\x7e]+$/.test(t)) return `${label} must be printable ASCII without spaces`;
  return null;
}
