/**
 * Reads the answer of Enedis `POST /subscribed_services/v1`: which meter a v2 consent
 * (autorisation_id) covers, from when until when, and which series it gives.
 *
 * Read leniently, because the answer lists every service of the consent, not only the
 * running one: a service asked for and being set up (DEMANDE) has no `dateFin` yet, nor has
 * an ended one (TERMINE) next to the running one at times. Only the service used must be
 * complete.
 */
import { validatePrm } from '../domain/readings.js';
import { AuthError, ProviderError } from '../domain/errors.js';
import { dayMs } from './localTime.js';
import { show, type JsonObject } from './parseCommon.js';

const WHAT = 'Enedis subscribed_services';

/** Series a consent can give: drawn from the grid (soutirage) and fed into it (injection). */
export interface ConsentSeries {
  consumption: boolean;
  production: boolean;
}

export interface SubscribedService {
  prm: string;
  /** First day of the consent (YYYY-MM-DD), when given. */
  dateDebut?: string;
  /** Last day of the consent, included (YYYY-MM-DD). */
  dateFin: string;
  etatCode: string;
  /** The series the meter's services give (every listed service, any state but SUPPRIME). */
  series: ConsentSeries;
}

interface ListedService {
  prm: string | null;
  dateDebut: string | null;
  dateFin: string | null;
  etatCode: string;
  raw: JsonObject;
}

/** A day at the start of a date field ("2027-07-01", "2027-07-01+02:00", "2027-07-01T00:00"). */
function dayOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const day = v.trim().slice(0, 10);
  return dayMs(day) === null ? null : day;
}

function malformedAnswer(detail: string): never {
  throw new ProviderError(`${WHAT}: the answer is malformed (${detail})`, {
    hint: 'Enedis answered something unexpected: link the meter again later; if it persists, save the answer and report it.',
  });
}

function listServices(json: unknown): ListedService[] {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    malformedAnswer(`expected a JSON object, got ${show(json)}`);
  }
  const root = json as JsonObject;
  const list = root.serviceSouscrit;
  if (list === undefined || list === null) {
    if (typeof root.nbTotalServices === 'number' && root.nbTotalServices > 0) {
      malformedAnswer(`nbTotalServices is ${root.nbTotalServices} but serviceSouscrit is missing`);
    }
    return [];
  }
  // One service is sometimes sent as an object rather than a list of one.
  const items = Array.isArray(list) ? list : [list];
  return items.map((s, i) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      malformedAnswer(`serviceSouscrit[${i}] is ${show(s)}, not an object`);
    }
    const o = s as JsonObject;
    const id = typeof o.pointId === 'number' ? String(o.pointId) : o.pointId;
    return {
      prm: typeof id === 'string' && validatePrm(id, [14]) === null ? id : null,
      dateDebut: dayOf(o.dateDebut),
      dateFin: dayOf(o.dateFin),
      etatCode: typeof o.etatCode === 'string' ? o.etatCode.trim().toUpperCase() : '',
      raw: o,
    };
  });
}

/** Does a service's text name injection (production) or soutirage (consumption)? */
function seriesOf(services: ListedService[]): ConsentSeries {
  const text = services
    .map((s) =>
      Object.values(s.raw)
        .filter((v) => typeof v === 'string')
        .join(' '),
    )
    .join(' ')
    .toLowerCase();
  const production = /injection|production|\bprod\b/.test(text);
  const consumption = /soutirage|consommation|\bcons\b/.test(text) || !production;
  return { consumption, production };
}

/**
 * The running (ACTIF) service of the answer; a DEMANDE one with an end date when none runs
 * yet. When several run for the meter (a load curve and daily totals, say), the latest end
 * date stands for the consent.
 */
export function readSubscribedServices(json: unknown): SubscribedService {
  const services = listServices(json);
  if (services.length === 0) {
    throw new AuthError('Enedis lists no service for this consent', {
      hint: 'Link the meter again and accept the data sharing.',
    });
  }
  const pick = (state: string) =>
    services.filter((s) => s.etatCode === state && s.prm !== null && s.dateFin !== null);
  const chosen = pick('ACTIF').length > 0 ? pick('ACTIF') : pick('DEMANDE');
  const first = chosen[0];
  if (!first) {
    const running = services.find((s) => s.etatCode === 'ACTIF');
    if (running) {
      malformedAnswer(
        running.prm === null
          ? `the ACTIF service's pointId ${show(running.raw.pointId)} is not a 14-digit PRM`
          : `the ACTIF service's dateFin ${show(running.raw.dateFin)} is not a day`,
      );
    }
    const states = services.map((s) => s.etatCode || '?').join(', ');
    throw new AuthError(`The Enedis consent is not usable (state ${states})`, {
      hint: 'Link the meter again and accept the data sharing.',
    });
  }
  const same = chosen.filter((s) => s.prm === first.prm);
  const latest = same.reduce((a, b) => ((b.dateFin ?? '') > (a.dateFin ?? '') ? b : a));
  const starts = same.map((s) => s.dateDebut).filter((d): d is string => d !== null);
  const meterServices = services.filter((s) => s.prm === first.prm && s.etatCode !== 'SUPPRIME');
  const out: SubscribedService = {
    prm: first.prm as string,
    dateFin: latest.dateFin as string,
    etatCode: latest.etatCode,
    series: seriesOf(meterServices),
  };
  if (starts.length > 0) out.dateDebut = starts.reduce((a, b) => (b < a ? b : a));
  return out;
}
