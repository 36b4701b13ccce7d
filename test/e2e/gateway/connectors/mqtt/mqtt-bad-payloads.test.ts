import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningBroker } from '../../../../../gateway/broker/embedded-broker.ts';
import type { MqttConnector } from '../../../../../gateway/connectors/mqtt/mqtt-connector.ts';
import type { TroubleBoard } from '../../../../../gateway/trouble/trouble-board.ts';
import { CollectingSink } from '../../../../support/collecting-sink.ts';
import { capturingLogger, makeMqttConnector, publisher, startTestBroker } from '../../../../support/mqtt-fixture.ts';
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

const SMOKE = 'demo/b1/smoke/sd-1/state';
const DOOR = 'demo/b1/door/door-1/state';

async function setUp(): Promise<{ sink: CollectingSink; trouble: TroubleBoard; lines: Array<Record<string, unknown>> }> {
  broker = await startTestBroker({ maxPacketSize: 1024 * 1024 });
  const { log, lines } = capturingLogger();
  let trouble: TroubleBoard;
  ({ connector, trouble } = makeMqttConnector(
    { url: broker.url, maxPayloadBytes: 8 * 1024, lifeSafetyTopics: ['demo/+/smoke/#'] },
    [
      { id: 'sd-1', kind: 'smoke_detector', binding: { topic: SMOKE } },
      { id: 'door-1', kind: 'access_door', binding: { topic: DOOR } },
    ],
    { log },
  ));
  const sink = new CollectingSink();
  await connector.start(sink);
  pub = await publisher(broker.url);
  return { sink, trouble, lines };
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('MQTT connector against bad payloads', () => {
  it('drops and counts each kind of bad payload per topic; the good ones around them still flow', async () => {
    const { sink } = await setUp();
    const client = pub as MqttClient;
    const bad: Array<[string, string | Buffer, string]> = [
      [DOOR, 'not json at all', 'not_json'],
      [DOOR, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'not_utf8'],
      [DOOR, JSON.stringify({ door_open: 'x'.repeat(9 * 1024) }), 'payload_too_large'],
      [DOOR, nested(40), 'too_deep'],
      [DOOR, nested(1_200), 'too_deep'],
      [DOOR, JSON.stringify({ door_open: 'sometimes', locked: [1] }), 'unmapped_payload'],
      [DOOR, '{"__proto__": {"door_open": true, "locked": true}}', 'ignored'],
      [DOOR, '[1,2,3]', 'unmapped_payload'],
      [DOOR, 'null', 'unmapped_payload'],
      [SMOKE, JSON.stringify({ obscuration_pct_m: 'NaN', battery_pct: 'Infinity' }), 'unmapped_payload'],
      [SMOKE, JSON.stringify({ obscuration_pct_m: 0.2, battery_pct: 'lots' }), 'bad_field'],
    ];
    for (const [topic, payload] of bad) await client.publishAsync(topic, payload, { qos: 1 });
    await client.publishAsync(DOOR, JSON.stringify({ door_open: true, locked: false }), { qos: 1 });
    await waitFor(() => sink.last('door-1', 'door_open')?.value === true, 3_000, 'the good door payload');
    // the smoke detector's topic is on the connector's life-safety connection: no order with the door's
    await waitFor(() => sink.last('sd-1', 'obscuration_pct_m')?.value === 0.2, 3_000, "the smoke detector's last payload");

    const h = (connector as MqttConnector).health();
    expect(h.errors).toMatchObject({ not_json: 1, not_utf8: 1, payload_too_large: 1, too_deep: 2, unmapped_payload: 4, bad_field: 1, rejected_field: 5 });
    expect(h.detail?.badPayloadsByTopic).toEqual({ [DOOR]: 8, [SMOKE]: 2 });
    expect(h.detail?.rejectedFields).toEqual({ 'door-1.door_open': 1, 'door-1.locked': 1, 'sd-1.obscuration_pct_m': 1, 'sd-1.battery_pct': 2 });
    // `__proto__` never reached the prototype chain or produced samples; rejected fields became null/bad with the reason.
    expect(sink.samples.filter((s) => s.device === 'door-1').map((s) => [s.point, s.value, s.quality])).toEqual([
      ['door_open', null, 'bad'],
      ['locked', null, 'bad'],
      ['door_open', true, 'good'],
      ['locked', false, 'good'],
    ]);
    expect(({} as Record<string, unknown>).door_open).toBeUndefined();
    // The partly readable smoke payload still delivered its good field; the bad one is null, not left stale.
    expect(sink.last('sd-1', 'obscuration_pct_m')?.value).toBe(0.2);
    expect(sink.last('sd-1', 'battery_pct')).toMatchObject({ value: null, quality: 'bad', reason: 'payload field rejected: battery_pct: "lots" is not a finite number' });
  });

  it('raises a life-safety trouble for an unreadable smoke payload, and clears it on the next readable one', async () => {
    const { sink, trouble } = await setUp();
    const client = pub as MqttClient;
    await client.publishAsync(SMOKE, 'garbage', { qos: 1 });
    await waitFor(() => trouble.list().length > 0, 3_000, 'trouble condition');
    expect(trouble.list()[0]).toMatchObject({ key: 'mqtt-unreadable:sd-1', lifeSafety: true, source: 'mqtt-test' });
    expect(trouble.list()[0]?.message).toMatch(/sd-1 .*not JSON/);
    // An unreadable door payload is counted but is not a life-safety trouble.
    await client.publishAsync(DOOR, 'garbage', { qos: 1 });
    await client.publishAsync(SMOKE, JSON.stringify({ alarm: false, obscuration_pct_m: 0.01 }), { qos: 1 });
    await waitFor(() => sink.last('sd-1', 'alarm'), 3_000, 'readable smoke payload');
    expect(trouble.list()).toEqual([]);
  });

  it('one readable field does not clear the unreadable trouble of a life-safety device; a fully readable payload does', async () => {
    const { sink, trouble } = await setUp();
    const client = pub as MqttClient;
    await client.publishAsync(SMOKE, JSON.stringify({ alarm: 'yes', obscuration_pct_m: 0.01 }), { qos: 1 });
    await waitFor(() => trouble.list().find((t) => t.key === 'mqtt-unreadable:sd-1'), 3_000, 'trouble for a rejected field');
    expect(trouble.list().find((t) => t.key === 'mqtt-unreadable:sd-1')?.message).toMatch(/alarm: "yes" is not true or false/);
    expect(sink.last('sd-1', 'alarm')).toMatchObject({ value: null, quality: 'bad' });
    await client.publishAsync(SMOKE, JSON.stringify({ alarm: 'on', battery_pct: 80 }), { qos: 1 });
    await waitFor(() => sink.last('sd-1', 'battery_pct'), 3_000, 'the partly readable payload');
    expect(trouble.list().map((t) => t.key)).toContain('mqtt-unreadable:sd-1');
    await client.publishAsync(SMOKE, JSON.stringify({ alarm: false, battery_pct: 80 }), { qos: 1 });
    await waitFor(() => sink.last('sd-1', 'alarm')?.value === false, 3_000, 'the readable payload');
    expect(trouble.list().map((t) => t.key)).not.toContain('mqtt-unreadable:sd-1');
    // a device clock an hour fast: the sample is stamped on arrival, and counted
    const before = Date.now();
    await client.publishAsync(SMOKE, JSON.stringify({ heartbeat: 42, ts: before + 3_600_000 }), { qos: 1 });
    await waitFor(() => sink.last('sd-1', 'heartbeat'), 3_000, 'the sample with a future time');
    expect(sink.last('sd-1', 'heartbeat')?.ts).toBeLessThanOrEqual(Date.now());
    expect(sink.last('sd-1', 'heartbeat')?.ts).toBeGreaterThanOrEqual(before);
    expect((connector as MqttConnector).health().errors.future_timestamp).toBe(1);
  });

  it('raises trouble for garbage on a life-safety topic even when no known device is bound to it', async () => {
    broker = await startTestBroker();
    let trouble: TroubleBoard;
    ({ connector, trouble } = makeMqttConnector(
      { url: broker.url, lifeSafetyTopics: ['demo/+/smoke/#'], routes: [{ pattern: 'demo/{building}/smoke/{device}/state' }] },
      [{ id: 'sd-1', kind: 'smoke_detector', binding: {} }],
    ));
    await connector.start(new CollectingSink());
    pub = await publisher(broker.url);
    await pub.publishAsync('demo/b1/smoke/sd-unknown/state', Buffer.from([0xc3, 0x28]), { qos: 1 });
    await waitFor(() => trouble.list().length > 0, 3_000, 'trouble');
    expect(trouble.list()[0]).toMatchObject({ key: 'mqtt-unreadable-topic:demo/b1/smoke/sd-unknown/state', lifeSafety: true });
    expect(trouble.list()[0]?.message).toMatch(/not valid UTF-8/);
    await pub.publishAsync('demo/b1/smoke/sd-unknown/state', '{"alarm": false}', { qos: 1 });
    await waitFor(() => trouble.list().length === 0, 3_000, 'trouble cleared by a readable payload');
  });

  it('logs a flood of garbage at most once per interval per topic and kind, with the suppressed count', async () => {
    const { lines } = await setUp();
    const client = pub as MqttClient;
    for (let i = 0; i < 200; i++) client.publish(DOOR, `garbage ${i}`, { qos: 0 });
    await client.publishAsync(DOOR, 'last garbage', { qos: 1 });
    await waitFor(() => (connector?.health().errors.not_json ?? 0) === 201, 5_000, '201 counted');
    const warnings = lines.filter((l) => l.msg === 'bad mqtt payload dropped');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ topic: DOOR, kind: 'not_json' });
    expect(connector?.health().connected).toBe(true);
  });
});
