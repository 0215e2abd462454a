/**
 * What `link --provider p1` shows: the meter heard and its current readings.
 */
import type { P1LinkResult } from '../services/p1Link.js';
import { formatInstant } from './format.js';

const kwh = (v: number | null) => (v === null ? '–' : `${v.toFixed(3)} kWh`);
const kw = (v: number | null) => (v === null ? '–' : `${v.toFixed(3)} kW`);

export function describeP1Link(r: P1LinkResult): string {
  const t = r.telegram;
  const d = r.device;
  const lines = [
    `Linked P1 meter ${d.prm} to building "${d.building_name}" (heard on ${r.where}).`,
    `  meter          ${t.header}${t.version ? `, version ${t.version}` : ''}`,
  ];
  if (t.timestamp !== null) lines.push(`  meter clock    ${formatInstant(new Date(t.timestamp))}`);
  lines.push(
    `  offtake        day ${kwh(t.importT1Kwh)}, night ${kwh(t.importT2Kwh)}`,
    `  injection      day ${kwh(t.exportT1Kwh)}, night ${kwh(t.exportT2Kwh)}`,
    `  power now      offtake ${kw(t.powerImportKw)}, injection ${kw(t.powerExportKw)}`,
  );
  if (t.tariffPeriod) lines.push(`  tariff         ${t.tariffPeriod} (${t.tariff})`);
  if (t.demandKw !== null) lines.push(`  quarter-hour   ${kw(t.demandKw)} average demand so far`);
  if (t.monthPeak) {
    const at = t.monthPeak.at === null ? '' : ` at ${formatInstant(new Date(t.monthPeak.at))}`;
    lines.push(`  month's peak   ${kw(t.monthPeak.kw)}${at}`);
  }
  for (const m of t.mbus) {
    if (!m.reading) continue;
    lines.push(`  ${m.kind.padEnd(14)} ${m.reading.value} ${m.reading.unit}`);
  }
  const rejected = Object.values(r.rejected).reduce((a, n) => a + (n ?? 0), 0);
  if (rejected > 0) lines.push(`  ${rejected} damaged telegram(s) were dropped before this one.`);
  lines.push(
    `Device id ${d.id}. \`koprogo-iot daemon\` listens to it and stores quarter-hour readings.`,
  );
  return lines.join('\n') + '\n';
}
