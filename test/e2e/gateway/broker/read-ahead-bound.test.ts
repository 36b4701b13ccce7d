/**
 * The embedded broker's read-ahead bound (bus.pauseIntakeAt, gateway/broker/broker-ingest.ts): a
 * publisher faster than the gateway's storage is no longer read once the bus's backlog reaches the
 * bound, so its messages wait on its side (unacknowledged) instead of in the gateway's memory; a
 * publisher that sends little (a smoke detector on its own connection) is still read at once; and
 * once storage catches up every message arrives, stored once and acknowledged after its commit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { RunningBroker } from '../../../../gateway/broker/embedded-broker.ts';
import { SampleBus } from '../../../../gateway/bus/sample-bus.ts';
import type { MqttConnector } from '../../../../gateway/connectors/mqtt/mqtt-connector.ts';
import type { Sample } from '../../../../gateway/model/sample.ts';
import { makeMqttConnector, publisher, startTestBroker } from '../../../support/mqtt-fixture.ts';
import { waitFor } from '../../../support/wait-for.ts';

let broker: RunningBroker | undefined;
let connector: MqttConnector | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true);
  await connector?.stop();
  await broker?.close();
  connector = undefined;
  broker = undefined;
});

const MESSAGES = 20_000;
const PAUSE_AT = 1_000;
const devices = [
  { id: 'pump-1', kind: 'pump' as const, binding: { topic: 'load/pump-1' } },
  { id: 'sd-1', kind: 'smoke_detector' as const, binding: { topic: 'smoke/sd-1' } },
];

/**
 * The gateway's wiring with a slow disk: the storage consumer stores about 5,000 samples/s (1 ms per
 * 5 samples) while the publisher offers 20,000 msg/s; the broker bounded by the bus's backlog. The
 * rules consumer notes the largest backlog it sees at each push. (With the bound but reads not capped,
 * this run piled 10,000 messages up ahead of storage: one read of the socket's whole buffer.)
 */
async function gateway(pauseAt: number): Promise<{ bus: SampleBus; stored: Sample[]; rulesSaw: Sample[]; maxBacklog: () => number }> {
  // small packets only, so a capped read under pressure is 64 KiB
  broker = await startTestBroker({ maxPacketSize: 4_096 });
  const bus = new SampleBus({ capacity: 1_000_000 });
  const stored: Sample[] = [];
  const rulesSaw: Sample[] = [];
  let maxBacklog = 0;
  bus.subscribe(
    'rules',
    (batch) => {
      rulesSaw.push(...batch);
      maxBacklog = Math.max(maxBacklog, bus.backlog());
    },
    { first: true },
  );
  bus.subscribe(
    'storage',
    async (batch) => {
      await new Promise((r) => setTimeout(r, Math.ceil(batch.length / 5)));
      stored.push(...batch);
    },
    { durable: true },
  );
  const intake = broker.ingest;
  intake.bound({ backlog: () => bus.backlog(), pauseAt });
  bus.onBatchHandled(() => intake.recheck());
  ({ connector } = makeMqttConnector({ url: 'embedded' }, devices, { broker }));
  await connector.start(bus);
  return { bus, stored, rulesSaw, maxBacklog: () => maxBacklog };
}

async function client(): Promise<MqttClient> {
  const c = await publisher((broker as RunningBroker).url);
  clients.push(c);
  return c;
}

/**
 * Publish MESSAGES QoS 1 messages with distinct values, 100 every 5 ms (as a device fleet does, not
 * one write: each small read makes aedes look at the socket again); returns the number acknowledged so far.
 */
function paced(c: MqttClient): () => number {
  let acked = 0;
  let sent = 0;
  const tick = (): void => {
    for (const end = Math.min(MESSAGES, sent + 100); sent < end; sent++) c.publish('load/pump-1', `{"discharge_bar":${sent}}`, { qos: 1 }, (err) => void (err ? undefined : acked++));
    if (sent < MESSAGES) setTimeout(tick, 5);
  };
  tick();
  return () => acked;
}

describe('embedded broker read-ahead bound', () => {
  it('stops reading a publisher while storage is behind, keeps reading a smoke detector, and loses nothing', async () => {
    const gw = await gateway(PAUSE_AT);
    const acked = paced(await client());
    await waitFor(() => (broker?.ingest.stats().pauses ?? 0) >= 1, 60_000, 'the intake under pressure');
    // a smoke detector on its own connection is read at once, and its sample reaches the rules
    const detector = await client();
    detector.publish('smoke/sd-1', '{"alarm":true}', { qos: 1 });
    await waitFor(() => gw.rulesSaw.some((s) => s.device === 'sd-1' && s.value === true), 30_000, 'the smoke alarm at the rules');

    await waitFor(() => acked() === MESSAGES, 120_000, 'every message acknowledged');
    // the bound, the publisher's allowance and one capped read (64 KiB: about 1,400 of these messages)
    expect(gw.maxBacklog()).toBeGreaterThanOrEqual(PAUSE_AT);
    expect(gw.maxBacklog()).toBeLessThan(PAUSE_AT + 100 + 2_500);
    expect(broker?.ingest.stats().pauses).toBeGreaterThanOrEqual(1);
    await waitFor(() => gw.stored.filter((s) => s.device === 'pump-1').length === MESSAGES, 30_000, 'every message stored');
    const values = new Set(gw.stored.filter((s) => s.device === 'pump-1').map((s) => s.value));
    expect(values.size).toBe(MESSAGES);
    await waitFor(() => broker?.ingest.stats().unstored === 0, 30_000, 'nothing left unstored');
    expect(broker?.ingest.stats()).toMatchObject({ pausedClients: 0, unstored: 0 });
  }, 240_000);
});
