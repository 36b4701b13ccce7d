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
        mappings: { vendor: { points: { obscuration_pct_m: { path: 'data.obs', scale: 0.01 }, alarm: { path: 'data.alm', map: { '1': true, '0': false } } } } },
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

  it('refuses a device with neither topic nor route, or an unknown mapping, with a trouble; never throws; the others run', async () => {
    broker = await startTestBroker();
    let trouble;
    ({ connector, trouble } = makeMqttConnector(
      { url: broker.url, routes: [{ pattern: 'x/{device}', mapping: 'nope' }] },
      [
        { id: 'd1', kind: 'access_door', binding: {} },
        { id: 'sd-9', kind: 'smoke_detector', binding: { topic: 'sd/9', mapping: 'missing' } },
        { id: 'door-ok', kind: 'access_door', binding: { topic: 'door/ok' } },
      ],
    ));
    const keys = trouble.list().map((t) => t.key).sort();
    expect(keys).toEqual(['binding:d1', 'binding:sd-9', 'connector-config:mqtt-test:routes[0]']);
    expect(trouble.list().find((t) => t.key === 'binding:sd-9')).toMatchObject({ lifeSafety: true });
    const refused = connector.health().detail?.rejectedBindings as Record<string, string>;
    expect(refused.d1).toMatch(/binding.topic: binding has no topic and connector mqtt-test has no routes/);
    expect(refused['sd-9']).toMatch(/binding.mapping: "missing" is not among the mappings/);
    expect(refused['routes[0]']).toMatch(/routes\[0\].mapping: "nope"/);
    const sink = new CollectingSink();
    await connector.start(sink);
    pub = await publisher(broker.url);
    await pub.publishAsync('door/ok', JSON.stringify({ door_open: true }), { qos: 1 });
    await waitFor(() => sink.last('door-ok', 'door_open'), 3_000, 'the accepted device still runs');
  });
});
