/** The channels of this process, and the sender of one (channel, recipient) pair. */
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../../gateway/model/clock.ts';
import type { ChannelsConfig } from './channels-schema.ts';
import { DeliveryError, type ChannelType } from './channel.ts';
import { EmailChannel, type SmtpSettings } from './email-channel.ts';
import { MqttChannel } from './mqtt-channel.ts';
import type { Sender } from './outbox-worker.ts';
import { WebhookChannel } from './webhook-channel.ts';
import type { WebhookPolicy } from './webhook-target-policy.ts';

export interface SenderOptions {
  readonly clock: Clock;
  readonly log: Logger;
  readonly mqttUrl?: string;
  /** Client id, credentials and TLS settings of the MQTT channel's client. */
  readonly mqttOptions: IClientOptions;
  readonly smtp?: SmtpSettings;
  /** Site-wide webhook target policy (`workOrders.dispatch.webhooks`). */
  readonly webhooks?: WebhookPolicy;
}

export interface Senders {
  senderFor(channel: ChannelType, channels: ChannelsConfig): Sender | DeliveryError;
  close(): Promise<void>;
}

export function createSenders(options: SenderOptions): Senders {
  const webhook = new WebhookChannel(options.clock, options.webhooks, options.log.child({ channel: 'webhook' }));
  let mqtt: MqttChannel | undefined;
  let email: EmailChannel | undefined;
  return {
    senderFor(channel, channels) {
      if (channel === 'webhook') {
        const target = channels.webhook;
        if (!target) return new DeliveryError('webhook channel is no longer configured for this recipient', undefined, false);
        return (message, signal) => webhook.send(target, message, signal);
      }
      if (channel === 'mqtt') {
        const target = channels.mqtt;
        if (!target) return new DeliveryError('mqtt channel is no longer configured for this recipient', undefined, false);
        if (options.mqttUrl === undefined) return new DeliveryError('workOrders.mqtt.url is "embedded" but the embedded broker is not enabled');
        mqtt ??= new MqttChannel(options.mqttUrl, options.mqttOptions, options.log.child({ channel: 'mqtt' }));
        const client = mqtt;
        return (message, signal) => client.send(target, message, signal);
      }
      const target = channels.email;
      if (!target) return new DeliveryError('email channel is no longer configured for this recipient', undefined, false);
      if (!options.smtp) return new DeliveryError('workOrders.smtp is not configured', undefined, false);
      email ??= new EmailChannel(options.smtp);
      const mailer = email;
      return (message, signal) => mailer.send(target, message, signal);
    },
    async close() {
      await mqtt?.close();
      await email?.close();
    },
  };
}
