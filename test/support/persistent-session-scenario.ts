/**
 * The persistent-session scenario shared by the embedded-broker and mosquitto tests: the connector
 * subscribes (clean=false, stable client id), stops, QoS 1 messages are published while it is away,
 * and a new connector with the same client id receives them all after it returns.
 */
import { expect } from 'vitest';
import { CollectingSink } from './collecting-sink.ts';
import { makeMqttConnector, publisher } from './mqtt-fixture.ts';
import { waitFor } from './wait-for.ts';

export async function persistentSessionScenario(url: string, messages = 20): Promise<void> {
  const config = { url, clientId: 'gw-persistent-test', clean: false, qos: 1 };
  const devices = [{ id: 'door-1', kind: 'access_door' as const, binding: { topic: 'demo/b1/door/door-1/state' } }];
  const first = makeMqttConnector(config, devices).connector;
  const firstSink = new CollectingSink();
  await first.start(firstSink);
  expect(first.health().connected).toBe(true);
  await first.stop();

  const pub = await publisher(url, { clientId: 'sim-publisher' });
  const t0 = Date.now();
  for (let i = 0; i < messages; i++) {
    await pub.publishAsync('demo/b1/door/door-1/state', JSON.stringify({ door_open: i % 2 === 0, ts: t0 + i }), { qos: 1 });
  }
  await pub.endAsync();

  const second = makeMqttConnector(config, devices).connector;
  const sink = new CollectingSink();
  try {
    await second.start(sink);
    await waitFor(() => sink.samples.filter((s) => s.point === 'door_open').length >= messages, 5_000, `${messages} queued messages`);
    const ts = sink.samples.filter((s) => s.point === 'door_open').map((s) => s.ts);
    expect(ts).toEqual(Array.from({ length: messages }, (_, i) => t0 + i));
    expect(firstSink.samples).toHaveLength(0);
  } finally {
    await second.stop();
  }
}
