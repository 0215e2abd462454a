/**
 * The `log` channel: the alert as a log line on stderr (journald under systemd). Always
 * configured, so an alert has somewhere to go even without webhook or e-mail.
 */
import type { ChannelConfig } from '../../config.js';
import type { OutgoingNotification, SendContext } from '../outbox.js';

export async function sendLog(
  n: OutgoingNotification,
  _channel: Extract<ChannelConfig, { type: 'log' }>,
  ctx: SendContext,
): Promise<void> {
  const a = n.payload.anomaly;
  const fields = {
    anomaly: a.id,
    building: a.building_name ?? a.building_id,
    device: a.device_ref,
    kind: a.kind,
    severity: a.severity,
    start: a.timestamp,
  };
  // A critical anomaly is worth an error line: it is what log watchers page on.
  if (a.severity === 'critical') ctx.log.error(n.payload.message, fields);
  else ctx.log.warn(n.payload.message, fields);
}
