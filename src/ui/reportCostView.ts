/**
 * The euros of the monthly report on a terminal: the bill estimate line by line, the peak
 * that set the capacity charge and when, and the month's kg CO2e.
 */
import { DateTime } from 'luxon';
import type { MonthlyReport } from '../services/report.js';
import type { ReportPeak } from '../services/reportCosts.js';
import { createColors } from './color.js';
import { formatNumber, wrapWords } from './format.js';
import { NO_TARIFF_HINT } from './statsCostView.js';
import { renderTable } from './table.js';

const SOURCE_TEXT: Record<ReportPeak['source'], string> = {
  p1: 'measured by the P1 meter (1-0:1.6.0)',
  'quarter-hour': 'from quarter-hour readings',
  estimated: 'estimated from intervals longer than 15 min (the real peak can only be higher)',
};

export function peakText(p: ReportPeak, zone: string): string {
  const at = p.at ? ` on ${DateTime.fromISO(p.at, { zone }).toFormat('yyyy-MM-dd HH:mm')}` : '';
  const base = `Peak ${formatNumber(p.kw, 3)} kW${at}, ${SOURCE_TEXT[p.source]}`;
  if (p.billed_kw === null || p.capacity_eur === null) return `${base}; no capacity tariff`;
  const how =
    p.mode === 'rolling-12-month-average'
      ? `the 12-month average of billed peaks, ${formatNumber(p.billed_kw, 3)} kW`
      : `${formatNumber(p.billed_kw, 3)} kW (the peak, at least the minimum)`;
  return `${base}; capacity charge ${formatNumber(p.capacity_eur, 2)} € on ${how}`;
}

/** The report's cost section; the hint alone when the building has no tariff. */
export function renderReportCosts(r: MonthlyReport, view: { color: boolean; width: number }) {
  const paint = createColors(view.color);
  const zone = r.building.timezone;
  const out: string[] = [];
  if (r.bill) {
    const rows = r.bill.lines.map((l) => ({
      line: l.label,
      quantity: `${formatNumber(l.quantity, l.unit === 'kWh' ? 3 : 4)} ${l.unit}`,
      price: formatNumber(l.unit_price, 4),
      amount: formatNumber(l.amount_eur, 2),
    }));
    rows.push({
      line: 'Subtotal excl. VAT',
      quantity: '',
      price: '',
      amount: formatNumber(r.bill.excl_vat_eur, 2),
    });
    for (const v of r.bill.vat)
      rows.push({
        line: `VAT ${v.percent} %`,
        quantity: '',
        price: '',
        amount: formatNumber(v.amount_eur, 2),
      });
    rows.push({
      line: 'Total',
      quantity: '',
      price: '',
      amount: formatNumber(r.bill.total_eur, 2),
    });
    out.push(
      paint.bold(`Bill estimate — ${r.bill.plans.join(', then ')}`),
      renderTable({
        columns: [
          { key: 'line', header: 'Line' },
          { key: 'quantity', header: 'Quantity', align: 'right' },
          { key: 'price', header: 'Unit price', unit: '€', align: 'right' },
          { key: 'amount', header: 'Amount', unit: '€', align: 'right' },
        ],
        rows,
        color: view.color,
        maxWidth: view.width,
      }),
    );
    if (r.summary.coverage < 1)
      out.push(
        paint.yellow(
          wrapWords('partial month: billed on the readings stored, fees in full', view.width),
        ),
      );
  } else if (r.metric_type === 'electricity_consumption') {
    out.push(paint.dim(wrapWords(NO_TARIFF_HINT, view.width)));
  }
  if (r.peak) out.push(wrapWords(peakText(r.peak, zone), view.width));
  if (r.carbon)
    out.push(
      wrapWords(
        `${formatNumber(r.carbon.kg_co2e, 3)} kg CO2e (${r.carbon.sources.join('; ')})`,
        view.width,
      ),
    );
  return out.join('\n');
}
