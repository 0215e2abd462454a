/**
 * The `email` channel: the alert over SMTP (nodemailer), subject and plain-text body in
 * the configured language. The password comes from the environment variable the
 * configuration names and never reaches a log or an error message.
 */
import nodemailer from 'nodemailer';
import type { ChannelConfig } from '../../config.js';
import { ConfigError } from '../../domain/errors.js';
import type { OutgoingNotification, SendContext } from '../outbox.js';
import { deliveryMessageId } from './deliveryKey.js';

/** SMTP timeouts: a stuck server must not hold the delivery loop for long. */
const CONNECTION_TIMEOUT_MS = 15_000;
const SOCKET_TIMEOUT_MS = 30_000;

export async function sendEmail(
  n: OutgoingNotification,
  channel: Extract<ChannelConfig, { type: 'email' }>,
  ctx: SendContext,
): Promise<void> {
  let password: string | undefined;
  if (channel.passwordEnv) {
    password = ctx.env[channel.passwordEnv];
    if (!password) {
      throw new ConfigError(
        `email channel "${ctx.name}": the environment variable ${channel.passwordEnv} (its SMTP password) is not set`,
      );
    }
  }
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.secure,
    auth: channel.user ? { user: channel.user, pass: password ?? '' } : undefined,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: n.payload.subject,
      text: n.payload.text,
      messageId: deliveryMessageId(n, channel.from),
      // Readable in any mail client's source view, accents included.
      textEncoding: 'quoted-printable',
      headers: {
        'X-KoproGo-Notification-Id': String(n.id),
        ...(n.anomalyId ? { 'X-KoproGo-Anomaly-Id': n.anomalyId } : {}),
      },
    });
  } catch (e) {
    let text = (e as Error).message;
    if (password) text = text.split(password).join('[redacted]');
    throw new Error(`email ${ctx.name} (${channel.host}:${channel.port}): ${text}`, { cause: e });
  } finally {
    transport.close();
  }
}
