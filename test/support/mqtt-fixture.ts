/** Build an MqttConnector (config through the real zod schema) and an embedded broker on a free port, for tests. */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import mqtt, { type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type RunningBroker } from '../../gateway/broker/embedded-broker.ts';
import { brokerSchema } from '../../gateway/config/site-schema.ts';
import { mqttConnectorSchema } from '../../gateway/connectors/mqtt/mqtt-schema.ts';
import { MqttConnector } from '../../gateway/connectors/mqtt/mqtt-connector.ts';
import { RealClock } from '../../gateway/model/clock.ts';
import { silentLogger } from '../../gateway/log/logger.ts';
import { TroubleBoard } from '../../gateway/trouble/trouble-board.ts';
import { boundDevices, type FixtureDevice } from './opcua-fixture.ts';

export async function startTestBroker(overrides: Record<string, unknown> = {}): Promise<RunningBroker> {
  const options = brokerSchema.parse({ enabled: true, port: 0, ...overrides });
  return startEmbeddedBroker(options, silentLogger());
}

/** A pino logger whose lines land in `lines` (parsed), for assertions on logging. */
export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

export function makeMqttConnector(
  config: Record<string, unknown>,
  devices: readonly FixtureDevice[],
  options: { log?: Logger; trouble?: TroubleBoard } = {},
): { connector: MqttConnector; trouble: TroubleBoard } {
  const clock = new RealClock();
  const trouble = options.trouble ?? new TroubleBoard(clock);
  const parsed = mqttConnectorSchema.parse({ id: 'mqtt-test', type: 'mqtt', ...config });
  const connector = new MqttConnector(parsed, { clock, log: options.log ?? silentLogger(), devices: boundDevices(parsed.id, devices), trouble });
  return { connector, trouble };
}

export async function publisher(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, ...options });
}
