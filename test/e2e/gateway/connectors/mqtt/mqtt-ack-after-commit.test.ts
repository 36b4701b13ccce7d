import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import type { RunningBroker } from '../../../../../gateway/broker/embedded-broker.ts';
import { SampleBus } from '../../../../../gateway/bus/sample-bus.ts';
import type { MqttConnector } from '../../../../../gateway/connectors/mqtt/mqtt-connector.ts';
import type { Sample, SampleSink } from '../../../../../gateway/model/sample.ts';
import { makeMqttConnector, publisher, startTestBroker } from '../../../../support/mqtt-fixture.ts';
import { waitFor } from '../../../../support/wait-for.ts';

let broker: RunningBroker | undefined;
let connector: MqttConnector | undefined;
let pub: MqttClient | undefined;

afterEach(async () => {
  await pub?.endAsync(true);
  await connector?.stop();
  await broker?.close();
  pub = undefined;
  connector = undefined;
  broker = undefined;
});

const devices = [{ id: 'sd-1', kind: 'smoke_detector' as const, binding: { topic: 'smoke/sd-1' } }];

/** A bus whose storage consumer holds every batch until `release()`. */

/**
 * Evidence instead of a sleep: a second client's CONNECT and SUBSCRIBE round trips through the same
 * broker (a subscription, so it is not itself held like a publish). Once they are back, the broker
 * has handled traffic that came after the held message, so a PUBACK sent on receipt (the behaviour
 * this file guards against) would have been sent by now.
 */
async function brokerRoundTrip(url: string): Promise<void> {
  const probe = await publisher(url);
  try {
    await probe.subscribeAsync('probe/round-trip', { qos: 1 });
  } finally {
    await probe.endAsync(true);
  }
}

function gatedBus(): { bus: SampleBus; stored: Sample[]; seen: () => number; release: () => void } {
  const bus = new SampleBus({ capacity: 100_000 });
  const stored: Sample[] = [];
  let seen = 0;
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => (open = r));
  bus.subscribe(
    'storage',
    async (batch) => {
      seen += batch.length;
      await gate;
      stored.push(...batch);
    },
    { durable: true },
  );
  return { bus, stored, seen: () => seen, release: () => open() };
}

describe('QoS 1 PUBACK after the commit: external broker (mqtt.js client of the gateway)', () => {
  it("the gateway's PUBACK to the broker waits until the storage consumer has stored the sample", async () => {
    const aedes = await Aedes.createBroker();
    const acks: number[] = [];
    aedes.on('ack', (packet) => {
      if (packet && 'messageId' in packet && packet.messageId !== undefined) acks.push(packet.messageId);
    });
    const server = createServer((socket) => aedes.handle(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      ({ connector } = makeMqttConnector({ url }, devices));
      const { bus, stored, seen, release } = gatedBus();
      await connector.start(bus);
      pub = await publisher(url);
      await pub.publishAsync('smoke/sd-1', JSON.stringify({ alarm: true }), { qos: 1 });
      await waitFor(() => seen() > 0, 10_000, 'the sample at the storage consumer');
      await brokerRoundTrip(url);
      expect(acks).toEqual([]); // delivered to the gateway, not yet stored: no PUBACK from it
      release();
      await waitFor(() => acks.length === 1, 10_000, "the gateway's PUBACK");
      expect(stored.map((s) => [s.device, s.point, s.value])).toEqual([['sd-1', 'alarm', true]]);
    } finally {
      await pub?.endAsync(true);
      pub = undefined;
      await connector?.stop();
      connector = undefined;
      await new Promise<void>((r) => aedes.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

for (const path of ['embedded broker (in-process ingest)', 'broker over TCP (mqtt.js client)'] as const) {
  describe(`QoS 1 ingest: ${path}`, () => {
    if (path.startsWith('embedded')) it('the publisher is acknowledged only once the storage consumer has stored the sample', async () => {
      broker = await startTestBroker();
      const inBroker = path.startsWith('embedded');
      ({ connector } = makeMqttConnector({ url: inBroker ? 'embedded' : broker.url }, devices, inBroker ? { broker } : {}));
      const { bus, stored, seen, release } = gatedBus();
      await connector.start(bus);
      pub = await publisher(broker.url);
      let acked = false;
      const publish = pub.publishAsync('smoke/sd-1', JSON.stringify({ alarm: true }), { qos: 1 }).then(() => (acked = true));
      await waitFor(() => seen() > 0, 10_000, 'the sample at the storage consumer');
      // the storage consumer holds the batch: the publisher must still be waiting for its PUBACK
      await brokerRoundTrip(broker.url);
      expect(acked).toBe(false);
      release();
      await publish;
      expect(stored.map((s) => [s.device, s.point, s.value])).toEqual([['sd-1', 'alarm', true]]);
    });

    it('a burst becomes a few pushes, not one per message, and every message is acknowledged', async () => {
      broker = await startTestBroker();
      const inBroker = path.startsWith('embedded');
      ({ connector } = makeMqttConnector({ url: inBroker ? 'embedded' : broker.url }, devices, inBroker ? { broker } : {}));
      const bus = new SampleBus({ capacity: 100_000 });
      let pushes = 0;
      const counting: SampleSink & { pushDurable(b: readonly Sample[]): Promise<void> } = {
        push: (b) => {
          pushes++;
          bus.push(b);
        },
        pushDurable: (b) => {
          pushes++;
          return bus.pushDurable(b);
        },
      };
      let stored = 0;
      bus.subscribe('storage', (b) => void (stored += b.length), { durable: true });
      await connector.start(counting);
      pub = await publisher(broker.url);
      const n = 1_000;
      await Promise.all(Array.from({ length: n }, (_, i) => pub?.publishAsync('smoke/sd-1', JSON.stringify({ battery_pct: i % 100 }), { qos: 1 })));
      await waitFor(() => stored >= n, 20_000, 'every message stored');
      expect(stored).toBe(n);
      expect(pushes).toBeLessThan(n / 2);
    });
  });
}

describe('embedded broker ingestion before the connectors start', () => {
  it('a publish is held (no PUBACK) until the gateway releases the broker, then ingested', async () => {
    broker = await startTestBroker();
    broker.ingest.hold();
    pub = await publisher(broker.url);
    let acked = false;
    const publish = pub.publishAsync('smoke/sd-1', JSON.stringify({ alarm: true }), { qos: 1 }).then(() => (acked = true));
    ({ connector } = makeMqttConnector({ url: 'embedded' }, devices, { broker }));
    const bus = new SampleBus({ capacity: 1_000 });
    const stored: Sample[] = [];
    bus.subscribe('storage', (b) => void stored.push(...b), { durable: true });
    await connector.start(bus);
    await brokerRoundTrip(broker.url);
    expect(acked).toBe(false);
    broker.ingest.release();
    await publish;
    expect(stored.map((s) => [s.device, s.point, s.value])).toEqual([['sd-1', 'alarm', true]]);
  });
});
