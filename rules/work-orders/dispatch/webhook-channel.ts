/**
 * Webhook channel: POST the JSON body with X-Timestamp, X-Signature (HMAC-SHA256 hex over
 * `${timestamp}.${body}`) and X-Idempotency-Key (the outbox id, the same on every retry).
 * Any 2xx is accepted; anything else (or no answer in time) is a failed attempt, retried.
 */
import type { Clock } from '../../../gateway/model/clock.ts';
import { DeliveryError, type Channel, type DeliveryResult, type OutboundMessage } from './channel.ts';
import { signWebhook } from './signature.ts';

export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

export class WebhookChannel implements Channel<WebhookTarget> {
  readonly type = 'webhook' as const;
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  async send(target: WebhookTarget, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const timestamp = String(this.clock.now());
    let res: Response;
    try {
      res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-timestamp': timestamp,
          'x-signature': signWebhook(target.secret, timestamp, message.body),
          'x-idempotency-key': message.id,
          'x-event': message.event,
          'x-attempt': String(message.attempt),
        },
        body: message.body,
        signal,
      });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
      throw new DeliveryError(`POST ${target.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    // Drain the body so the connection can be reused; its content is only for the log.
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { statusCode: res.status };
    // Every refusal is retried (a 401 from a receiver being redeployed heals too); the dead letter catches the rest.
    throw new DeliveryError(`POST ${target.url}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
  }
}
