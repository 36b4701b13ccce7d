/** MQTT channel: publish the JSON body on the recipient's topic at QoS 1 (done when the broker acks). */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { DeliveryError, type Channel, type DeliveryResult, type OutboundMessage } from './channel.ts';

export interface MqttTarget {
  readonly topic: string;
}

export class MqttChannel implements Channel<MqttTarget> {
  readonly type = 'mqtt' as const;
  private readonly url: string;
  private readonly options: IClientOptions;
  private readonly log: Logger;
  private client: MqttClient | undefined;

  /** `options`: client id, credentials and TLS settings (CA, client certificate). */
  constructor(url: string, options: IClientOptions, log: Logger) {
    this.url = url;
    this.options = options;
    this.log = log;
  }

  private connect(): MqttClient {
    if (!this.client) {
      // mqtt.js reconnects by itself; the outbox retries what did not get a PUBACK.
      this.client = mqtt.connect(this.url, { ...this.options, clean: true, reconnectPeriod: 2_000, connectTimeout: 10_000 });
      this.client.on('error', (err) => this.log.warn({ err: err.message, url: this.url }, 'work-order MQTT channel error'));
    }
    return this.client;
  }

  async send(target: MqttTarget, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryResult> {
    const client = this.connect();
    if (!client.connected) await this.connected(client, signal);
    const published = client.publishAsync(target.topic, message.body, {
      qos: 1,
      properties: { userProperties: { 'idempotency-key': message.id, event: message.event } },
    });
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new DeliveryError(`MQTT ${this.url}: no PUBACK on ${target.topic} in time`)), { once: true });
    });
    try {
      await Promise.race([published, aborted]);
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw new DeliveryError(`MQTT publish ${target.topic}: ${(err as Error).message}`);
    }
    return {};
  }

  /** Wait for the (re)connection, at most until the attempt's timeout. */
  private connected(client: MqttClient, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        client.off('connect', onConnect);
        reject(new DeliveryError(`MQTT ${this.url}: not connected`));
      };
      if (signal.aborted) return onAbort();
      client.once('connect', onConnect);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true);
    this.client = undefined;
  }
}
