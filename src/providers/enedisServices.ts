/**
 * Reads the answer of Enedis `POST /subscribed_services/v1`: which meter a v2 consent
 * (autorisation_id) covers and until when.
 */
import { validatePrm } from '../domain/readings.js';
import { AuthError } from '../domain/errors.js';
import { dayMs } from './localTime.js';
import { asObject, malformed, optionalList, show } from './parseCommon.js';

const WHAT = 'Enedis subscribed_services';
/** ACTIF: running; DEMANDE: asked for and being set up. TERMINE/SUPPRIME: over. */
const USABLE = new Set(['ACTIF', 'DEMANDE']);

export interface SubscribedService {
  prm: string;
  dateDebut?: string;
  /** Last day of the consent (YYYY-MM-DD). */
  dateFin: string;
  etatCode: string;
}

/**
 * The usable service of the answer. When several are usable for the meter (a load curve
 * and a daily index, say), the latest end date stands for the consent.
 */
export function readSubscribedServices(json: unknown): SubscribedService {
  const root = asObject(json, WHAT, 'answer');
  const services = optionalList(root.serviceSouscrit, WHAT, 'serviceSouscrit').map((s, i) => {
    const o = asObject(s, WHAT, `serviceSouscrit[${i}]`);
    const prm = typeof o.pointId === 'number' ? String(o.pointId) : o.pointId;
    if (typeof prm !== 'string' || validatePrm(prm, [14]) !== null) {
      malformed(WHAT, `serviceSouscrit[${i}].pointId ${show(o.pointId)} is not a 14-digit PRM`);
    }
    if (typeof o.dateFin !== 'string' || dayMs(o.dateFin) === null) {
      malformed(WHAT, `serviceSouscrit[${i}].dateFin ${show(o.dateFin)} is not a day`);
    }
    const etatCode = typeof o.etatCode === 'string' ? o.etatCode : '';
    const service: SubscribedService = { prm, dateFin: o.dateFin, etatCode };
    if (typeof o.dateDebut === 'string') service.dateDebut = o.dateDebut;
    return service;
  });
  const usable = services.filter((s) => USABLE.has(s.etatCode));
  const first = usable[0];
  if (!first) {
    const states = services.map((s) => s.etatCode || '?').join(', ');
    throw new AuthError(
      services.length === 0
        ? 'Enedis lists no service for this consent'
        : `The Enedis consent is not usable (state ${states})`,
      { hint: 'Link the meter again and accept the data sharing.' },
    );
  }
  const same = usable.filter((s) => s.prm === first.prm);
  return same.reduce((a, b) => (b.dateFin > a.dateFin ? b : a));
}
