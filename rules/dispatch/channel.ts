/** A way to reach a recipient (webhook, MQTT, e-mail). One attempt; throws DeliveryError on failure. */

export const CHANNEL_TYPES = ['webhook', 'mqtt', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface OutboundMessage {
  /** The outbox id: also the idempotency key, stable over retries. */
  readonly id: string;
  readonly event: string;
  /** The JSON body, fixed when the message was queued. */
  readonly body: string;
  readonly attempt: number;
  readonly subject: string;
}

export class DeliveryError extends Error {
  readonly statusCode: number | undefined;
  /** False when retrying cannot help (e.g. the recipient is no longer configured). */
  readonly retryable: boolean;

  constructor(message: string, statusCode?: number, retryable = true) {
    super(message);
    this.name = 'DeliveryError';
    this.statusCode = statusCode;
    this.retryable = retryable;
  }
}

export interface DeliveryResult {
  readonly statusCode?: number;
}

export interface Channel<Target> {
  readonly type: ChannelType;
  send(target: Target, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult>;
  close?(): Promise<void>;
}
