/**
 * The delivery settings of work-order messages (`workOrders.mqtt`, `workOrders.smtp`,
 * `workOrders.dispatch.webhooks`): the MQTT client's URL and options (the embedded broker's
 * internal credential when the URL is `embedded`), the SMTP settings and the webhook policy.
 */
import type { EmbeddedBrokerAccess } from '../../gateway/platform/broker-access.ts';
import { tlsClientOptions } from '../../gateway/platform/tls-client.ts';
import type { SenderOptions } from '../dispatch/index.ts';
import type { WorkOrderConfig } from './work-order-schema.ts';

export interface EmbeddedBrokerPort {
  /** URL of the gateway's embedded broker, when `workOrders.mqtt.url` is `embedded`. */
  readonly embeddedBrokerUrl?: string;
  /** The embedded broker's internal credential and reserved client ids (for url `embedded`). */
  readonly embeddedBroker?: EmbeddedBrokerAccess;
}

export function workOrderChannels(config: WorkOrderConfig, siteId: string, broker: EmbeddedBrokerPort): Omit<SenderOptions, 'clock' | 'log'> {
  const embedded = config.mqtt.url === 'embedded';
  const mqttUrl = embedded ? (broker.embeddedBroker?.internalUrl ?? broker.embeddedBrokerUrl) : config.mqtt.url;
  return {
    ...(mqttUrl !== undefined ? { mqttUrl } : {}),
    mqttOptions:
      embedded && broker.embeddedBroker
        ? broker.embeddedBroker.connectOptions('work-orders')
        : {
            clientId: config.mqtt.clientId ?? `gateway-${siteId}-work-orders`,
            ...(config.mqtt.username !== undefined ? { username: config.mqtt.username } : {}),
            ...(config.mqtt.password !== undefined ? { password: config.mqtt.password } : {}),
            ...tlsClientOptions(config.mqtt.tls, 'workOrders.mqtt'),
          },
    webhooks: config.dispatch.webhooks,
    ...(config.smtp ? { smtp: { ...config.smtp, timeoutMs: config.dispatch.timeout } } : {}),
  };
}
