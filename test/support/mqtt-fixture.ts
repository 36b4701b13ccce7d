/** Build an MqttConnector (config through the real zod schema) and an embedded broker on a free port, for tests. */
import type { Logger } from 'pino';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type RunningBroker } from '../../gateway/broker/embedded-broker.ts';
import { brokerSchema } from '../../gateway/config/site-schema.ts';
import { mqttConnectorSchema } from '../../gateway/connectors/mqtt/mqtt-schema.ts';
import { MqttConnector } from '../../gateway/connectors/mqtt/mqtt-connector.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { TroubleBoard } from '../../gateway/trouble/trouble-board.ts';
import { boundDevices, type FixtureDevice } from './opcua-fixture.ts';
export { capturingLogger } from './capturing-logger.ts';

export async function startTestBroker(overrides: Record<string, unknown> = {}): Promise<RunningBroker> {
  const options = brokerSchema.parse({ enabled: true, port: 0, ...overrides });
  return startEmbeddedBroker(options, silentLogger());
}

export function makeMqttConnector(
  config: Record<string, unknown>,
  devices: readonly FixtureDevice[],
  options: { log?: Logger; trouble?: TroubleBoard; broker?: RunningBroker } = {},
): { connector: MqttConnector; trouble: TroubleBoard } {
  const clock = new RealClock();
  const trouble = options.trouble ?? new TroubleBoard(clock);
  const parsed = mqttConnectorSchema.parse({ id: 'mqtt-test', type: 'mqtt', ...config });
  const connector = new MqttConnector(parsed, { clock, log: options.log ?? silentLogger(), devices: boundDevices(parsed.id, devices), trouble, ...(options.broker ? { embeddedBrokerUrl: options.broker.url, embeddedBroker: options.broker, embeddedIngest: options.broker.ingest } : {}) });
  return { connector, trouble };
}

export async function publisher(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
}
