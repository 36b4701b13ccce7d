/**
 * Webhook signatures, two of them on every request:
 * - `X-Signature`: HMAC-SHA256 (hex) over `${timestamp}.${body}` with the contractor's secret,
 *   `X-Timestamp` in epoch milliseconds (the gateway's original scheme);
 * - Standard Webhooks (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256
 *   over "${webhook-id}.${webhook-timestamp}.${body}">`, `webhook-timestamp` in epoch seconds. The key
 *   is the base64-decoded part after `whsec_` when the secret has that form, else the secret's UTF-8 bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Constant-time check of a received signature (what a receiver does). */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const want = Buffer.from(signWebhook(secret, timestamp, body), 'hex');
  const got = Buffer.from(signature, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The HMAC key of a Standard Webhooks signature. */
export function standardWebhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/** `v1,<base64>` for the `webhook-signature` header. */
export function standardWebhookSignature(secret: string, id: string, timestampSeconds: string, body: string): string {
  return `v1,${createHmac('sha256', standardWebhookKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}
