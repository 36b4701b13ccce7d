/**
 * The mqtt.js connect options of an MQTT connector: our own reconnect (none from mqtt.js), its
 * credentials, TLS for an outside broker, and the embedded broker's own options for `url: embedded`.
 */
import type { IClientOptions } from 'mqtt';
import { tlsClientOptions } from '../../platform/tls-client.ts';
import type { ConnectorContext } from '../connector.ts';
import type { MqttConnectorConfig } from './mqtt-schema.ts';

export function mqttClientOptions(config: MqttConnectorConfig, embeddedBroker: ConnectorContext['embeddedBroker'], embedded: boolean): IClientOptions {
  return {
    clientId: config.clientId ?? `facility-gateway-${config.id}`,
    clean: config.clean,
    // mqtt.js's own fixed-period reconnect is off: ours backs off on the Clock (scheduleReconnect),
    // and a refused CONNACK (bad credentials, not authorised) is retried too, not final.
    reconnectPeriod: 0,
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    // mqtt.js calls its `debug` logger several times per packet (about 1 % of the main thread at
    // 10,000 msg/s); a no-op unless DEBUG asks for mqtt.js's own trace
    ...(process.env.DEBUG?.includes('mqttjs') ? {} : { log: () => {} }),
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(embedded ? {} : tlsClientOptions(config.tls, `connectors.${config.id}`)),
    ...(embedded && embeddedBroker ? embeddedBroker.connectOptions(config.id) : {}),
  };
}
