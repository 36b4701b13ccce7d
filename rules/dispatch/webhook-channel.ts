/**
 * Webhook channel: POST the JSON body, signed twice (see signature.ts): `X-Timestamp` and
 * `X-Signature`, and the Standard Webhooks headers `webhook-id` (the outbox id), `webhook-timestamp`
 * and `webhook-signature`; plus `X-Idempotency-Key` (the outbox id, the same on every retry).
 *
 * Any 2xx is accepted; anything else (or no answer in time) is a failed attempt, retried. Redirects
 * are not followed (a 3xx is a failed attempt). Targets are checked by webhook-target-policy.ts:
 * https only and public addresses only unless the site allows otherwise. The receiver's answer is
 * never passed on: the attempt records the status, a short excerpt goes to the gateway's log only.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import { DeliveryError, type Channel, type DeliveryResult, type OutboundMessage } from './channel.ts';
import { signWebhook, standardWebhookSignature } from './signature.ts';
import { guardedLookup, webhookUrlProblem, type WebhookPolicy } from './webhook-target-policy.ts';

export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
  readonly allowHttp?: boolean | undefined;
  readonly allowPrivateTargets?: boolean | undefined;
}

const EXCERPT_BYTES = 200;

export class WebhookChannel implements Channel<WebhookTarget> {
  readonly type = 'webhook' as const;
  private readonly clock: Clock;
  private readonly defaults: WebhookPolicy;
  private readonly log: Logger | undefined;

  constructor(clock: Clock, defaults: WebhookPolicy = { allowHttp: false, allowPrivateTargets: false }, log?: Logger) {
    this.clock = clock;
    this.defaults = defaults;
    this.log = log;
  }

  async send(target: WebhookTarget, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const policy: WebhookPolicy = {
      allowHttp: target.allowHttp ?? this.defaults.allowHttp,
      allowPrivateTargets: target.allowPrivateTargets ?? this.defaults.allowPrivateTargets,
    };
    const problem = webhookUrlProblem(target.url, policy);
    if (problem) throw new DeliveryError(`POST ${target.url}: refused: ${problem}`, undefined, false);
    const now = this.clock.now();
    const timestamp = String(now);
    const seconds = String(Math.floor(now / 1000));
    const headers = {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-signature': signWebhook(target.secret, timestamp, message.body),
      'x-idempotency-key': message.id,
      'x-event': message.event,
      'x-attempt': String(message.attempt),
      'webhook-id': message.id,
      'webhook-timestamp': seconds,
      'webhook-signature': standardWebhookSignature(target.secret, message.id, seconds, message.body),
    };
    let res: { status: number; excerpt: string };
    try {
      res = await post(target.url, headers, message.body, signal, policy);
    } catch (err) {
      if (signal.aborted) throw new DeliveryError(`POST ${target.url}: ${signal.reason instanceof Error ? signal.reason.message : 'aborted'}`);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EWEBHOOKTARGET') throw new DeliveryError(`POST ${target.url}: refused: ${(err as Error).message}`);
      throw new DeliveryError(`POST ${target.url}: ${code ?? (err as Error).message}`);
    }
    if (res.status >= 200 && res.status < 300) return { statusCode: res.status };
    this.log?.warn({ url: target.url, status: res.status, excerpt: res.excerpt, outboxId: message.id }, 'webhook refused by the receiver');
    const why = res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : '';
    // Every refusal is retried (a 401 from a receiver being redeployed heals too); the dead letter catches the rest.
    throw new DeliveryError(`POST ${target.url}: HTTP ${res.status}${why}`, res.status);
  }
}

function post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal, policy: WebhookPolicy): Promise<{ status: number; excerpt: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) }, signal, lookup: guardedLookup(policy) }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (c: Buffer) => {
        if (kept < EXCERPT_BYTES) {
          chunks.push(c);
          kept += c.length;
        }
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
