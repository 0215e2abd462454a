/**
 * The P1 port (Belgian e-MUCS, Dutch DSMR 4/5) as a meter: parse telegrams, turn them into
 * quarter-hour readings, and listen on a serial port, a TCP socket or an MQTT topic.
 */
export { crc16Arc, crcHex } from './crc.js';
export { parseDongleJson, type DongleJsonFormat, type DongleJsonResult } from './dongleJson.js';
export { TelegramSplitter } from './framing.js';
export {
  createP1Listener,
  type P1Batch,
  type P1Listener,
  type P1ListenerEvent,
  type P1ListenerOptions,
} from './listener.js';
export { formatP1Timestamp, localMonth, parseP1Timestamp } from './p1Time.js';
export {
  createQuarterHourAccumulator,
  emptyAccumulatorState,
  type AccumulatorCounts,
  type AccumulatorOptions,
  type AccumulatorState,
  type P1Event,
  type P1Metric,
  type P1MonthPeak,
  type P1Reading,
  type QuarterHourAccumulator,
} from './quarterHours.js';
export { parseTelegram, type ParseOptions } from './telegram.js';
export {
  checkMqttUrl,
  createTransport,
  parseTcpAddress,
  type P1Connection,
} from './transports/index.js';
export type { ReceivedTelegram, TelegramTransport } from './transports/types.js';
export type * from './types.js';
export { frameTelegram, writeTelegram } from './writeTelegram.js';
