/**
 * The alert as every channel receives it: subject and text in the configured language
 * (French by default) around the detector's message in the seed's style, and the
 * anomaly's facts for machines. Built once when queued, so retries say the same thing.
 */
import { DateTime } from 'luxon';
import { DEFAULT_TIME_ZONE, type Language } from '../config.js';
import type { StoredAnomaly } from '../db/anomalies.js';
import { isMetricType, storedUnit } from '../domain/readings.js';

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
  };
}

const TEXTS = {
  fr: {
    severity: { minor: 'mineure', major: 'majeure', critical: 'critique' } as Record<
      string,
      string
    >,
    kind: { spike: 'surconsommation', night_baseload: 'talon nocturne en hausse' } as Record<
      string,
      string
    >,
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
      `${v} ${unit} par intervalle (référence ${b} ${unit}, ${pct})`,
    ack: 'Pour la marquer comme vue',
  },
  en: {
    severity: { minor: 'minor', major: 'major', critical: 'critical' } as Record<string, string>,
    kind: { spike: 'over-consumption', night_baseload: 'raised night baseload' } as Record<
      string,
      string
    >,
    anomaly: (sev: string) => `${sev.charAt(0).toUpperCase()}${sev.slice(1)} anomaly`,
    sep: ': ',
    meter: 'meter',
    labels: ['Building', 'Meter', 'Metric', 'Period', 'Value', 'Severity', 'Method', 'Anomaly'],
    value: (v: string, b: string, unit: string, pct: string) =>
      `${v} ${unit} per interval (baseline ${b} ${unit}, ${pct})`,
    ack: 'To mark it as seen',
  },
};

/** Builds the payload once, at queue time, so every channel and every retry says the same. */
export function buildPayload(
  a: StoredAnomaly,
  language: Language,
  building: { name: string; timezone: string } | null,
): NotificationPayload {
  const t = TEXTS[language];
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const num = (n: number) => n.toLocaleString(locale, { maximumFractionDigits: 3 });
  const zone = building?.timezone ?? DEFAULT_TIME_ZONE;
  const when = (d: Date) => DateTime.fromJSDate(d, { zone }).toFormat('dd/MM/yyyy HH:mm');
  const unit = isMetricType(a.metricType) ? storedUnit(a.metricType) : '';
  const sev = t.severity[a.severity] ?? a.severity;
  const pct = `${a.variancePercent >= 0 ? '+' : ''}${Math.round(a.variancePercent)} %`;
  const name = building?.name ?? a.buildingId;
  const values = [
    name,
    a.deviceRef,
    a.metricType,
    `${when(a.start)} – ${when(a.end)} (${zone})`,
    t.value(num(a.value), num(a.baseline), unit, pct),
    sev,
    a.method,
    a.id,
  ];
  const text = [
    a.message,
    '',
    ...t.labels.map((label, i) => `${label}${t.sep}${values[i] ?? ''}`),
    '',
    `${t.ack}${t.sep}koprogo-iot anomalies ack ${a.id.slice(0, 8)}`,
  ].join('\n');
  return {
    event: 'anomaly.detected',
    language,
    subject: `[KoproGo] ${t.anomaly(sev)}${t.sep}${t.kind[a.kind] ?? a.kind} — ${name} (${t.meter} ${a.deviceRef})`,
    message: a.message,
    text,
    anomaly: {
      id: a.id,
      building_id: a.buildingId,
      building_name: building?.name ?? null,
      device_ref: a.deviceRef,
      metric_type: a.metricType,
      kind: a.kind,
      method: a.method,
      timestamp: a.start.toISOString(),
      end: a.end.toISOString(),
      value: a.value,
      baseline: a.baseline,
      variance_percent: a.variancePercent,
      severity: a.severity,
      unit,
      detected_at: a.detectedAt.toISOString(),
    },
  };
}
