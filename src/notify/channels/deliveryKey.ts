/**
 * The key of one alert's delivery on one channel: the same on every try (a retry after a
 * crash between send and record), different per channel, so a receiver that keeps the keys
 * it has seen can drop the rare repeat.
 */
import type { OutgoingNotification } from '../outbox.js';

export function deliveryKey(n: Pick<OutgoingNotification, 'id' | 'channel'>): string {
  return `${n.id}-${n.channel.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** The e-mail form (RFC 5322 §3.6.4 msg-id): a stable Message-ID mail systems dedupe on. */
export function deliveryMessageId(
  n: Pick<OutgoingNotification, 'id' | 'channel'>,
  from: string,
): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'koprogo-iot.invalid';
  return `<koprogo-iot.${deliveryKey(n)}@${domain}>`;
}
