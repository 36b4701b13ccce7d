/**
 * MQTT payload format `value`: a device publishing one plain value per topic (`4.25`, `ON`,
 * `true`) is read through a mapping with `format: value`, beside JSON devices on the same broker;
 * an object on a plain-value topic is a bad payload (counted, the point left alone), never a value.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../../gateway/broker/embedded-broker.ts';
import type { MqttConnector } from '../../../../../gateway/connectors/mqtt/mqtt-connector.ts';
import { mqttConnectorSchema } from '../../../../../gateway/connectors/mqtt/mqtt-schema.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { makeMqttConnector, publisher, startTestBroker } from '../../../../support/mqtt-fixture.ts';
import { waitFor } from '../../../../support/wait-for.ts';

let broker: RunningBroker | undefined;
let connector: MqttConnector | undefined;
let pub: MqttClient | undefined;

afterEach(async () => {
  await pub?.endAsync();
  await connector?.stop();
  await broker?.close();
  pub = undefined;
  connector = undefined;
  broker = undefined;
});

describe('MQTT plain-value payloads', () => {
  it('reads numbers and words from plain payloads beside JSON ones; refuses objects on a plain topic', async () => {
    broker = await startTestBroker();
    ({ connector } = makeMqttConnector(
      {
        url: broker.url,
        mappings: {
          pressure: { format: 'value', points: { discharge_bar: { path: 'value' } } },
          running: { format: 'value', points: { running: { path: 'value', booleanWords: { true: ['ON'], false: ['OFF'] } } } },
        },
      },
      [
        { id: 'pump-p', kind: 'pump', binding: { topic: 'plant/pump-p/discharge', mapping: 'pressure' } },
        { id: 'pump-r', kind: 'pump', binding: { topic: 'plant/pump-r/running', mapping: 'running' } },
        { id: 'pump-j', kind: 'pump', binding: { topic: 'plant/pump-j/state' } },
      ],
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    pub = await publisher(broker.url);
    await pub.publishAsync('plant/pump-p/discharge', '4.25', { qos: 1 });
    await pub.publishAsync('plant/pump-r/running', 'ON', { qos: 1 });
    await pub.publishAsync('plant/pump-j/state', JSON.stringify({ discharge_bar: 3.5 }), { qos: 1 });
    await waitFor(() => sink.last('pump-p', 'discharge_bar') !== undefined && sink.last('pump-r', 'running') !== undefined && sink.last('pump-j', 'discharge_bar') !== undefined, 10_000, 'three samples');
    expect(sink.last('pump-p', 'discharge_bar')).toMatchObject({ value: 4.25, quality: 'good' });
    expect(sink.last('pump-r', 'running')).toMatchObject({ value: true, quality: 'good' });
    expect(sink.last('pump-j', 'discharge_bar')).toMatchObject({ value: 3.5, quality: 'good' });

    await pub.publishAsync('plant/pump-p/discharge', JSON.stringify({ discharge_bar: 9 }), { qos: 1 });
    await waitFor(() => (connector?.health().errors.not_plain_value ?? 0) >= 1, 10_000, 'the object counted as a bad payload');
    expect(sink.last('pump-p', 'discharge_bar')).toMatchObject({ value: 4.25 });
    await pub.publishAsync('plant/pump-r/running', 'OFF', { qos: 1 });
    await waitFor(() => sink.last('pump-r', 'running')?.value === false, 10_000, 'OFF read as false');
  });

  it('a plain-value mapping carries exactly one point at path value', () => {
    const bad = mqttConnectorSchema.safeParse({ id: 'm', type: 'mqtt', mappings: { two: { format: 'value', points: { running: { path: 'value' }, tripped: { path: 'x' } } } } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['format value carries one point; got 2', 'format value: the plain payload is at path "value"']);
  });
});
