import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningBroker } from '../../../../../gateway/broker/embedded-broker.ts';
import type { MqttConnector } from '../../../../../gateway/connectors/mqtt/mqtt-connector.ts';
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

describe('MQTT connector routes with named segments', () => {
  it('binds messages to devices by the {device} segment, checks {building}, and keeps binding.topic working', async () => {
    broker = await startTestBroker();
    ({ connector } = makeMqttConnector(
      {
        url: broker.url,
        routes: [{ pattern: 'site/{building}/smoke/{device}/state', mapping: 'vendor' }],
        mappings: { vendor: { points: { obscuration_pct_m: { path: 'data.obs', scale: 0.01 }, alarm: { path: 'data.alm' } } } },
      },
      [
        { id: 'sd-1', kind: 'smoke_detector', building: 'b1', binding: {} },
        { id: 'sd-2', kind: 'smoke_detector', building: 'b2', binding: {} },
        { id: 'sd-3', kind: 'smoke_detector', building: 'b1', binding: { topic: 'legacy/sd-3' } },
      ],
    ));
    const sink = new CollectingSink();
    await connector.start(sink);
    pub = await publisher(broker.url);
    await pub.publishAsync('site/b1/smoke/sd-1/state', JSON.stringify({ data: { obs: 250, alm: 1 } }), { qos: 1 });
    await pub.publishAsync('site/b2/smoke/sd-2/state', JSON.stringify({ data: { obs: 10, alm: 0 } }), { qos: 1 });
    await pub.publishAsync('site/b1/smoke/sd-2/state', JSON.stringify({ data: { obs: 99, alm: 1 } }), { qos: 1 }); // wrong building
    await pub.publishAsync('site/b1/smoke/ghost/state', JSON.stringify({ data: { obs: 1, alm: 0 } }), { qos: 1 }); // unknown device
    await pub.publishAsync('legacy/sd-3', JSON.stringify({ alarm: true, battery_pct: 80 }), { qos: 1 });
    await pub.publishAsync('site/b1/smoke/sd-3/state', JSON.stringify({ data: { obs: 5, alm: 1 } }), { qos: 1 }); // has its own topic
    await waitFor(() => sink.last('sd-3', 'battery_pct'), 3_000, 'legacy topic sample');
    await waitFor(() => (connector?.health().errors.unknown_device ?? 0) >= 1 && (connector?.health().errors.route_mismatch ?? 0) >= 1, 3_000, 'counted refusals');

    expect(sink.last('sd-1', 'obscuration_pct_m')?.value).toBeCloseTo(2.5);
    expect(sink.last('sd-1', 'alarm')?.value).toBe(true);
    expect(sink.last('sd-2', 'obscuration_pct_m')?.value).toBeCloseTo(0.1);
    expect(sink.samples.filter((s) => s.device === 'sd-2')).toHaveLength(2);
    expect(sink.last('sd-3', 'alarm')?.value).toBe(true);
    expect(sink.samples.filter((s) => s.device === 'sd-3')).toHaveLength(2);
    const h = connector.health();
    expect(h.detail?.badPayloadsByTopic).toMatchObject({ 'site/b1/smoke/ghost/state': 1, 'site/b1/smoke/sd-2/state': 1 });
  });

  it('refuses at construction a device with neither topic nor route', () => {
    expect(() => makeMqttConnector({ url: 'mqtt://127.0.0.1:1' }, [{ id: 'd1', kind: 'access_door', binding: {} }])).toThrow(
      /device d1: binding has no topic and connector mqtt-test has no routes/,
    );
  });
});
