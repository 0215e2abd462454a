/**
 * The `webhook` channel: the payload as a JSON POST. The body is signed with
 * HMAC-SHA256 under a secret read from the environment variable the configuration names
 * (`X-KoproGo-Signature: sha256=<hex>`), so the receiver can check it came from here;
 * `Idempotency-Key` carries the delivery key (notification id and channel), the same on
 * every try, so a receiver can drop the rare repeat.
 * Any answer other than 2xx, a network error or the timeout is a failure to retry.
 */
import { createHmac } from 'node:crypto';
import type { ChannelConfig } from '../../config.js';
import { ConfigError } from '../../domain/errors.js';
import type { OutgoingNotification, SendContext } from '../outbox.js';
import { deliveryKey } from './deliveryKey.js';

export const SIGNATURE_HEADER = 'X-KoproGo-Signature';
export const TIMESTAMP_HEADER = 'X-KoproGo-Timestamp';

/** `sha256=<hex>` of the body under the secret: what the receiver recomputes to check. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The JSON document a webhook receives. */
export function webhookBody(n: OutgoingNotification): string {
  return JSON.stringify({ notification_id: n.id, ...n.payload });
}

export async function sendWebhook(
  n: OutgoingNotification,
  channel: Extract<ChannelConfig, { type: 'webhook' }>,
  ctx: SendContext,
): Promise<void> {
  const body = webhookBody(n);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'koprogo-iot',
    'idempotency-key': deliveryKey(n),
    [TIMESTAMP_HEADER]: String(Math.floor(ctx.now.getTime() / 1000)),
  };
  if (channel.secretEnv) {
    const secret = ctx.env[channel.secretEnv];
    if (!secret) {
      throw new ConfigError(
        `webhook channel "${ctx.name}": the environment variable ${channel.secretEnv} (its signing secret) is not set`,
      );
    }
    headers[SIGNATURE_HEADER] = signBody(body, secret);
  }
  // The URL may hold a token (many chat webhooks do): messages name the host only.
  const host = safeHost(channel.url);
  let res: Response;
  try {
    res = await ctx.fetch(channel.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(channel.timeoutMs),
    });
  } catch (e) {
    const err = e as Error;
    const why =
      err.name === 'TimeoutError' || err.name === 'AbortError'
        ? `no answer within ${channel.timeoutMs} ms`
        : causeText(err);
    throw new Error(`webhook ${ctx.name} (${host}): ${why}`, { cause: e });
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status >= 300) {
    const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new Error(
      `webhook ${ctx.name} (${host}) answered HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`,
    );
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}

/** fetch's errors say "fetch failed"; the useful part (ECONNREFUSED, …) is the cause. */
function causeText(err: Error): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? err.message;
}
