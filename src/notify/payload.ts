/**
 * The alert as every channel receives it: subject and text in the configured language
 * (French by default) around the detector's message in the seed's style, and the
 * anomaly's facts for machines. Built once when queued, so retries say the same thing.
 */
import { DateTime } from 'luxon';
import { DEFAULT_TIME_ZONE, type Language } from '../config.js';
import type { StoredAnomaly } from '../db/anomalies.js';
import { isMetricType, storedUnit } from '../domain/readings.js';
import { levelPercent } from './rules.js';

/** What every channel receives: the texts in the configured language and the facts. */
export interface NotificationPayload {
  event: 'anomaly.detected';
  language: Language;
  subject: string;
  /** The detector's one-line message, in the seed's style. */
  message: string;
  /** The message followed by the details, one per line (e-mail body, log). */
  text: string;
  anomaly: {
    id: string;
    building_id: string;
    building_name: string | null;
    device_ref: string;
    metric_type: string;
    kind: string;
    method: string;
    timestamp: string;
    end: string;
    value: number;
    baseline: number;
    variance_percent: number;
    severity: string;
    unit: string;
    detected_at: string;
    /** Highest average power of the event, W, when known. */
    peak_watts: number | null;
    /** level_shift: the lasting rise, W. */
    size_w: number | null;
    ongoing: boolean;
  };
}

const TEXTS = {
  fr: {
    severity: { minor: 'mineure', major: 'majeure', critical: 'critique' } as Record<
      string,
      string
    >,
    kind: {
      spike: 'surconsommation',
      night_baseload: 'talon nocturne en hausse',
      level_shift: 'hausse durable du niveau',
    } as Record<string, string>,
    anomaly: (sev: string) => `Anomalie ${sev}`,
    sep: ' : ',
    meter: 'compteur',
    labels: [
      'Immeuble',
      'Compteur',
      'Mesure',
      'Période',
      'Valeur',
      'Sévérité',
      'Méthode',
      'Anomalie',
    ],
    value: (v: string, b: string, unit: string, pct: string) =>
      `${v} ${unit} par intervalle, ${pct} de la référence (${b} ${unit})`,
    ack: 'Pour la marquer comme vue',
  },
  en: {
    severity: { minor: 'minor', major: 'major', critical: 'critical' } as Record<string, string>,
    kind: {
      spike: 'over-consumption',
      night_baseload: 'raised night baseload',
      level_shift: 'lasting level shift',
    } as Record<string, string>,
    anomaly: (sev: string) => `${sev.charAt(0).toUpperCase()}${sev.slice(1)} anomaly`,
    sep: ': ',
    meter: 'meter',
    labels: ['Building', 'Meter', 'Metric', 'Period', 'Value', 'Severity', 'Method', 'Anomaly'],
    value: (v: string, b: string, unit: string, pct: string) =>
      `${v} ${unit} per interval, ${pct} of the baseline (${b} ${unit})`,
    ack: 'To mark it as seen',
  },
};

/** Builds the payload once, at queue time, so every channel and every retry says the same. */
export function buildPayload(
  anomaly: StoredAnomaly,
  language: Language,
  building: { name: string; timezone: string } | null,
): NotificationPayload {
  const texts = TEXTS[language];
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const number = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 3 });
  const zone = building?.timezone ?? DEFAULT_TIME_ZONE;
  const when = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat('dd/MM/yyyy HH:mm');
  const unit = isMetricType(anomaly.metricType) ? storedUnit(anomaly.metricType) : '';
  const severity = texts.severity[anomaly.severity] ?? anomaly.severity;
  // The scale of the rules' threshold_percent: 190 % of the baseline, not "+90 %".
  const level = levelPercent(anomaly);
  const pct = `${Math.round(Number.isFinite(level) ? level : 100 + anomaly.variancePercent)} %`;
  const name = building?.name ?? anomaly.buildingId;
  const values = [
    name,
    anomaly.deviceRef,
    anomaly.metricType,
    `${when(anomaly.start)} – ${when(anomaly.end)} (${zone})`,
    texts.value(number(anomaly.value), number(anomaly.baseline), unit, pct),
    severity,
    anomaly.method,
    anomaly.id,
  ];
  const text = [
    anomaly.message,
    '',
    ...texts.labels.map((label, i) => `${label}${texts.sep}${values[i] ?? ''}`),
    '',
    `${texts.ack}${texts.sep}koprogo-iot anomalies ack ${anomaly.id.slice(0, 8)}`,
  ].join('\n');
  return {
    event: 'anomaly.detected',
    language,
    subject: `[KoproGo] ${texts.anomaly(severity)}${texts.sep}${texts.kind[anomaly.kind] ?? anomaly.kind} — ${name} (${texts.meter} ${anomaly.deviceRef})`,
    message: anomaly.message,
    text,
    anomaly: {
      id: anomaly.id,
      building_id: anomaly.buildingId,
      building_name: building?.name ?? null,
      device_ref: anomaly.deviceRef,
      metric_type: anomaly.metricType,
      kind: anomaly.kind,
      method: anomaly.method,
      timestamp: anomaly.start.toISOString(),
      end: anomaly.end.toISOString(),
      value: anomaly.value,
      baseline: anomaly.baseline,
      variance_percent: anomaly.variancePercent,
      severity: anomaly.severity,
      unit,
      detected_at: anomaly.detectedAt.toISOString(),
      peak_watts: anomaly.peakWatts ?? null,
      size_w: anomaly.sizeWatts ?? null,
      ongoing: anomaly.ongoing ?? false,
    },
  };
}
