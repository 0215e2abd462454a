/**
 * The pricing core: tariff plans, bills in exact cents, the Belgian capacity peak, carbon.
 * Pure: no I/O; files (Tempo calendars) are read by the caller and handed in as text.
 */
export * from './schema.js';
export { parseTariffPlans, tariffPlansFromRawConfig, contractOf, scheduleFor } from './config.js';
export { parseTempoCalendar, type TempoCalendar } from './tempoCalendar.js';
export { singlePlanSchedule, type ScheduleEntry } from './segments.js';
export { priceBill, priceExact, roundBill, exactTotal, marginalCost } from './price.js';
export type { Bill, BillLine, ExactBill, PriceRequest, PricingReading } from './price.js';
export {
  DEFAULT_CARBON_FACTORS,
  carbonOfReadings,
  countryOfZone,
  type CarbonResult,
  type Country,
} from './carbon.js';
export { bandLabel, type LineKind } from './lines.js';
export { centsText } from './exact.js';
export { monthlyPeaks } from './peaks.js';
