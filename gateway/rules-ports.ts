/**
 * The delivery ports the composition root hands to rules/ (rules/index.ts `RulesContext.ports`):
 * the northbound alarm publisher, an MQTT client owned here, and the escalation channels' settings.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { RunningBroker } from './broker/embedded-broker.ts';
import type { SiteConfig } from './config/site-schema.ts';
import { tlsClientOptions } from './platform/tls-client.ts';
import type { Teardown } from './teardown.ts';

/** The northbound alarm publisher (`alarms.northbound`): an MQTT client owned here, passed to rules/ as a publish port. */
export function northboundPort(config: SiteConfig, broker: RunningBroker | undefined, log: Logger, teardown: Teardown): { topic: string; publish: (topic: string, payload: string) => void } | undefined {
  const nb = config.alarms.northbound;
  if (!nb) return undefined;
  const url = nb.url === 'embedded' ? broker?.internalUrl : nb.url;
  if (!url) return undefined;
  const nbLog = log.child({ component: 'alarms-northbound' });
  const client: MqttClient = mqtt.connect(url, {
    clientId: `${config.site.id}-alarms-northbound`,
    reconnectPeriod: 2_000,
    ...(nb.username !== undefined ? { username: nb.username } : {}),
    ...(nb.password !== undefined ? { password: nb.password } : {}),
    ...(nb.url === 'embedded' ? {} : tlsClientOptions(nb.tls, 'alarms.northbound')),
    ...(nb.url === 'embedded' && broker ? broker.connectOptions('alarms-northbound') : {}),
  });
  client.on('error', (err) => nbLog.warn({ err: err.message }, 'northbound alarm publisher error'));
  teardown.add('northbound alarm publisher', () => client.endAsync());
  return { topic: nb.topic, publish: (topic, payload) => void client.publish(topic, payload, { qos: 1 }) };
}

/** The escalation channels' MQTT, SMTP and webhook settings (the work orders' own), for rules/. */
export function escalationChannels(config: SiteConfig, broker: RunningBroker | undefined) {
  const wo = config.workOrders;
  const embedded = wo.mqtt.url === 'embedded';
  return {
    ...(embedded ? (broker ? { mqttUrl: broker.internalUrl } : {}) : { mqttUrl: wo.mqtt.url }),
    mqttOptions:
      embedded && broker
        ? broker.connectOptions('escalation')
        : {
            clientId: `gateway-${config.site.id}-escalation`,
            ...(wo.mqtt.username !== undefined ? { username: wo.mqtt.username } : {}),
            ...(wo.mqtt.password !== undefined ? { password: wo.mqtt.password } : {}),
            ...tlsClientOptions(wo.mqtt.tls, 'workOrders.mqtt'),
          },
    webhooks: wo.dispatch.webhooks,
    ...(wo.smtp ? { smtp: { ...wo.smtp, timeoutMs: wo.dispatch.timeout } } : {}),
  };
}
