/**
 * The broker refuses the connector's login: the connector keeps retrying with its backoff (mqtt.js
 * alone gives up after a refused CONNACK), marks its devices comms lost and raises a trouble that
 * names the reason for the life-safety devices behind it; once the broker accepts, data flows and
 * the trouble clears with the device's next message. Embedded aedes broker on 127.0.0.1.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningBroker } from '../../../../../gateway/broker/embedded-broker.ts';
import type { MqttConnector } from '../../../../../gateway/connectors/mqtt/mqtt-connector.ts';
import { commsTroubleKey } from '../../../../../gateway/connectors/runtime/comms-loss.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { makeMqttConnector, publisher, startTestBroker } from '../../../../support/mqtt-fixture.ts';
import { waitFor } from '../../../../support/wait-for.ts';
import { freePort } from '../../../../support/free-port.ts';

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

describe('MQTT connection refused by the broker', () => {
  it('retries a refused CONNACK with backoff, raises a trouble naming the reason, and recovers when the broker accepts', async () => {
    broker = await startTestBroker({ users: [{ username: 'gateway', password: 'right' }, { username: 'sim', password: 'sim' }] });
    const port = Number(new URL(broker.url).port);
    let trouble;
    ({ connector, trouble } = makeMqttConnector(
      { url: broker.url, username: 'gateway', password: 'wrong', reconnectMin: 50, reconnectMax: 200 },
      [
        { id: 'sd-1', kind: 'smoke_detector', binding: { topic: 'smoke/sd-1' } },
        { id: 'door-1', kind: 'access_door', binding: { topic: 'door/door-1' } },
      ],
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    const c = connector;
    // the smoke detector's topic has a connection of its own: wait until both were refused
    await waitFor(() => (c.health().errors.connack_refused ?? 0) >= 3 && sink.last('door-1', 'door_open')?.reason === 'comms lost' && sink.last('sd-1', 'alarm')?.reason === 'comms lost', 10_000, 'repeated connection attempts');
    const condition = trouble.list().find((t) => t.key === commsTroubleKey('sd-1'));
    expect(condition).toMatchObject({ lifeSafety: true, source: 'connector:mqtt-test' });
    expect(condition?.message).toMatch(/Connection refused: (Not authorized|Bad username or password)/);
    // only life-safety devices raise it; every device is marked comms lost at once
    expect(trouble.list().some((t) => t.key === commsTroubleKey('door-1'))).toBe(false);
    expect(sink.last('door-1', 'door_open')).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    expect(sink.last('sd-1', 'alarm')).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    expect(c.health().connected).toBe(false);

    // the broker now accepts the gateway's password (a corrected broker config, same port)
    await broker.close();
    broker = await startTestBroker({ port, users: [{ username: 'gateway', password: 'wrong' }, { username: 'sim', password: 'sim' }] });
    await waitFor(() => c.health().connected, 10_000, 'the connector reconnected by itself');
    pub = await publisher(broker.url, { username: 'sim', password: 'sim' });
    await pub.publishAsync('smoke/sd-1', JSON.stringify({ alarm: false, obscuration_pct_m: 0.01 }), { qos: 1 });
    await waitFor(() => sink.last('sd-1', 'alarm')?.quality === 'good', 5_000, 'data after the reconnect');
    expect(trouble.list().some((t) => t.key === commsTroubleKey('sd-1'))).toBe(false);
  });

  it('keeps trying an unreachable broker with backoff, marks its devices comms lost, and connects when it appears', async () => {
    const port = await freePort();
    let trouble;
    ({ connector, trouble } = makeMqttConnector({ url: `mqtt://127.0.0.1:${port}`, reconnectMin: 50, reconnectMax: 200 }, [
      { id: 'sd-1', kind: 'smoke_detector', binding: { topic: 'smoke/sd-1' } },
    ]));
    const sink = new CollectingSink();
    await connector.start(sink);
    const c = connector;
    await waitFor(() => (c.health().errors.connection ?? 0) >= 3, 10_000, 'repeated connection attempts');
    expect(trouble.list().find((t) => t.key === commsTroubleKey('sd-1'))?.message).toMatch(/ECONNREFUSED|unreachable/);
    expect(sink.last('sd-1', 'alarm')).toMatchObject({ value: null, quality: 'bad', reason: 'comms lost' });
    broker = await startTestBroker({ port });
    await waitFor(() => c.health().connected, 10_000, 'connected once the broker is up');
  });
});
