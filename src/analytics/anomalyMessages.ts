/**
 * Anomaly messages in the seed's style ("Consommation 40% supérieure à la moyenne
 * mobile 7 jours"), French by default, English on request. Times are local.
 */
import { DateTime } from 'luxon';
import type { Language } from './anomalyTypes.js';

function local(d: Date, zone: string): DateTime {
  return DateTime.fromJSDate(d, { zone });
}

/** `15/01/2025 18:00–19:30`, or `15/01/2025 23:30 – 16/01/2025 00:30` across midnight. */
function span(start: Date, end: Date, zone: string): string {
  const s = local(start, zone);
  const e = local(end, zone);
  const day = s.toFormat('dd/MM/yyyy');
  // An event ending at midnight still belongs to its day: compare with its last instant.
  return s.hasSame(e.minus({ milliseconds: 1 }), 'day')
    ? `${day} ${s.toFormat('HH:mm')}–${e.toFormat('HH:mm')}`
    : `${day} ${s.toFormat('HH:mm')} – ${e.toFormat('dd/MM/yyyy HH:mm')}`;
}

export function movingAverageMessage(variancePercent: number, lang: Language): string {
  const pct = Math.round(variancePercent);
  return lang === 'en'
    ? `Consumption ${pct}% above the 7-day moving average`
    : `Consommation ${pct}% supérieure à la moyenne mobile 7 jours`;
}

export function profileSpikeMessage(
  variancePercent: number,
  start: Date,
  end: Date,
  zone: string,
  lang: Language,
): string {
  const pct = Math.round(variancePercent);
  const when = span(start, end, zone);
  return lang === 'en'
    ? `Consumption ${pct}% above the usual profile for this time of day (${when})`
    : `Consommation ${pct}% supérieure au profil habituel de cette plage horaire (${when})`;
}

export function nightBaseloadMessage(
  variancePercent: number,
  nights: number,
  firstNight: Date,
  watts: number,
  baselineWatts: number,
  window: string,
  zone: string,
  lang: Language,
): string {
  const pct = Math.round(variancePercent);
  const day = local(firstNight, zone).toFormat('dd/MM/yyyy');
  const w = Math.round(watts);
  const b = Math.round(baselineWatts);
  return lang === 'en'
    ? `Night baseload ${pct}% above previous weeks (${window}, ${nights} consecutive nights from ${day}): ${w} W instead of ${b} W`
    : `Talon de consommation nocturne ${pct}% supérieur aux semaines précédentes (${window}, ${nights} nuits consécutives depuis le ${day}) : ${w} W au lieu de ${b} W`;
}

export function levelShiftMessage(
  sizeWatts: number,
  start: Date,
  zone: string,
  lang: Language,
): string {
  const w = Math.round(sizeWatts);
  const day = local(start, zone).toFormat('dd/MM/yyyy');
  return lang === 'en'
    ? `Lasting rise of the load by about ${w} W since ${day} (day and night): a device left on, or a new one`
    : `Hausse durable de la consommation d'environ ${w} W depuis le ${day} (jour et nuit) : un appareil resté allumé, ou un nouvel équipement`;
}
