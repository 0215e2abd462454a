/**
 * Meter id formats of the providers, used by their adapters (before any call) and by the
 * registry (before a link starts).
 */
import { validatePrm, validateTextMeterId } from '../domain/readings.js';
import type { MeterIdFormat } from './types.js';

/** Enedis: the 14-digit French PRM. */
export const ENEDIS_PRM: MeterIdFormat = {
  label: 'PRM',
  maxLength: 14,
  validate: (id) => validatePrm(id, [14], 'PRM must be 14 digits for Enedis'),
};

/** ORES: the 18-digit Belgian EAN; the seed also accepts the 14-digit PRM form. */
export const ORES_PRM: MeterIdFormat = {
  label: 'PRM',
  maxLength: 18,
  validate: (id) => validatePrm(id, [18, 14]),
};

/**
 * A free-text equipment id of at most maxLength characters (a P1 meter's 0-0:96.1.1 is
 * hex-encoded ASCII, often 34 characters or more).
 */
export function textMeterId(label: string, maxLength: number): MeterIdFormat {
  return { label, maxLength, validate: (id) => validateTextMeterId(id, label, maxLength) };
}
