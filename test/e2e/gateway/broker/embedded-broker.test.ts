import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { TopicAcl } from '../../../../gateway/broker/topic-acl.ts';
import { publisher, startTestBroker } from '../../../support/mqtt-fixture.ts';
import { waitFor } from '../../../support/wait-for.ts';

let broker: RunningBroker | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await broker?.close();
  broker = undefined;
});

async function client(options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await publisher((broker as RunningBroker).url, options);
  clients.push(c);
  return c;
}

describe('TopicAcl', () => {
  it('allows everything without rules, and only covered prefixes with rules', () => {
    expect(new TopicAcl([]).canPublish(undefined, 'a/b')).toBe(true);
    const acl = new TopicAcl([
      { username: 'sim', publish: ['demo/'], subscribe: [] },
      { username: 'gw', publish: [], subscribe: ['demo/'] },
      { publish: [], subscribe: ['public/'] },
    ]);
    expect(acl.canPublish('sim', 'demo/b1/door/d1/state')).toBe(true);
    expect(acl.canPublish('sim', 'other/x')).toBe(false);
    expect(acl.canPublish('gw', 'demo/x')).toBe(false);
    expect(acl.canSubscribe('gw', 'demo/+/smoke/#')).toBe(true);
    expect(acl.canSubscribe('gw', 'demo/b1/#')).toBe(true);
    expect(acl.canSubscribe('gw', '#')).toBe(false);
    expect(acl.canSubscribe('gw', 'dem+/#')).toBe(false);
    expect(acl.canSubscribe(undefined, 'public/#')).toBe(true);
    expect(acl.canSubscribe('sim', 'public/x')).toBe(true);
    expect(new TopicAcl([{ username: 'root', publish: ['#'], subscribe: ['#'] }]).canSubscribe('root', '#')).toBe(true);
  });
});

describe('embedded broker', () => {
  it('authenticates clients when users are configured', async () => {
    broker = await startTestBroker({ users: [{ username: 'gw', password: 'pw-1' }] });
    await expect(publisher(broker.url, { username: 'gw', password: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(publisher(broker.url)).rejects.toThrow(/Bad username or password|Not authorized/i);
    const ok = await client({ username: 'gw', password: 'pw-1' });
    expect(ok.connected).toBe(true);
  });

  it('authorizes publish and subscribe per topic prefix', async () => {
    broker = await startTestBroker({
      users: [
        { username: 'sim', password: 'p1' },
        { username: 'gw', password: 'p2' },
      ],
      acl: [
        { username: 'sim', publish: ['demo/'] },
        { username: 'gw', subscribe: ['demo/'] },
      ],
    });
    const gw = await client({ username: 'gw', password: 'p2' });
    const granted = await gw.subscribeAsync('demo/#', { qos: 1 });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([['demo/#', 1]]);
    await expect(gw.subscribeAsync('secret/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const got: string[] = [];
    gw.on('message', (topic) => got.push(topic));

    const sim = await client({ username: 'sim', password: 'p1' });
    await sim.publishAsync('demo/b1/door/d1/state', '{}', { qos: 1 });
    await waitFor(() => got.includes('demo/b1/door/d1/state'), 3_000, 'allowed publish delivered');
    // A publish outside the prefix is refused: the broker drops the connection (MQTT 3.1.1 has no negative PUBACK).
    const closed = new Promise<void>((resolve) => sim.once('close', () => resolve()));
    sim.publish('secret/x', 'nope', { qos: 1 });
    await closed;
    expect(broker.refusals()).toMatchObject({ publish: 1, subscribe: 1 });
    expect(got).not.toContain('secret/x');
  });

  it('refuses a publish larger than maxPacketSize from a real client', async () => {
    broker = await startTestBroker({ maxPacketSize: 1024 });
    const sub = await client();
    const got: number[] = [];
    await sub.subscribeAsync('t/#', { qos: 1 });
    sub.on('message', (_t, p) => got.push(p.length));
    const big = await client();
    const closed = new Promise<void>((resolve) => big.once('close', () => resolve()));
    big.publish('t/big', Buffer.alloc(4096, 1), { qos: 1 });
    await closed;
    const small = await client();
    await small.publishAsync('t/small', Buffer.alloc(100, 1), { qos: 1 });
    await waitFor(() => got.length > 0, 3_000, 'small message');
    expect(got).toEqual([100]);
    expect(broker.refusals().oversized).toBe(1);
  });

  it('drops a connection that announces an oversized packet before its body is sent', async () => {
    broker = await startTestBroker({ maxPacketSize: 64 * 1024 });
    const socket = netConnect((broker as RunningBroker).port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // CONNECT (MQTT 3.1.1, client id "raw"), then a PUBLISH header announcing 100 MB of body.
    const connectPacket = Buffer.from([0x10, 15, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 3, 0x72, 0x61, 0x77]);
    socket.write(connectPacket);
    socket.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x30])); // remaining length 100,663,296
    socket.write(Buffer.alloc(1024, 0x61));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(broker.refusals().oversized).toBe(1);
  });
});
