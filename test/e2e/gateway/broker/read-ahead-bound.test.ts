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

/** The gateway's wiring: a bus whose storage consumer is held until `release()`, the broker bounded by its backlog. */
async function gateway(pauseAt: number): Promise<{ bus: SampleBus; stored: Sample[]; rulesSaw: Sample[]; release: () => void }> {
  broker = await startTestBroker();
  const bus = new SampleBus({ capacity: 1_000_000 });
  const stored: Sample[] = [];
  const rulesSaw: Sample[] = [];
  let open: () => void = () => {};
  const gate = new Promise<void>((r) => (open = r));
  bus.subscribe('rules', (batch) => void rulesSaw.push(...batch), { first: true });
  bus.subscribe(
    'storage',
    async (batch) => {
      await gate;
      stored.push(...batch);
    },
    { durable: true },
  );
  const intake = broker.ingest;
  intake.bound({ backlog: () => bus.backlog(), pauseAt });
  bus.onBatchHandled(() => intake.recheck());
  ({ connector } = makeMqttConnector({ url: 'embedded' }, devices, { broker }));
  await connector.start(bus);
  return { bus, stored, rulesSaw, release: () => open() };
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

/** Evidence instead of a sleep: a CONNECT and SUBSCRIBE round trip through the broker after the state under test. */
async function brokerRoundTrip(): Promise<void> {
  const probe = await client();
  await probe.subscribeAsync('probe/round-trip', { qos: 1 });
}

describe('embedded broker read-ahead bound', () => {
  it('stops reading a publisher while storage is behind, keeps reading a smoke detector, and loses nothing', async () => {
    const gw = await gateway(PAUSE_AT);
    const acked = paced(await client());
    await waitFor(() => broker?.ingest.stats().pausedClients === 1, 60_000, 'the publisher no longer read');
    const read = gw.bus.totalPushed();
    // the bound, the publisher's allowance and the socket reads in between; never the whole burst
    expect(read).toBeGreaterThanOrEqual(PAUSE_AT);
    expect(read).toBeLessThan(6_000);
    expect(broker?.ingest.stats()).toMatchObject({ paused: true, pauses: 1 });
    expect(acked()).toBe(0); // nothing acknowledged before it is stored

    // a smoke detector on its own connection is read at once, and its sample reaches the rules
    const detector = await client();
    detector.publish('smoke/sd-1', '{"alarm":true}', { qos: 1 });
    await waitFor(() => gw.rulesSaw.some((s) => s.device === 'sd-1' && s.value === true), 30_000, 'the smoke alarm at the rules');

    // the broker handled other traffic since, and still has not read more of the burst
    await brokerRoundTrip();
    expect(gw.bus.totalPushed()).toBe(read + 1);

    gw.release();
    await waitFor(() => acked() === MESSAGES, 120_000, 'every message acknowledged');
    await waitFor(() => gw.stored.filter((s) => s.device === 'pump-1').length === MESSAGES, 30_000, 'every message stored');
    const values = new Set(gw.stored.filter((s) => s.device === 'pump-1').map((s) => s.value));
    expect(values.size).toBe(MESSAGES);
    expect(broker?.ingest.stats()).toMatchObject({ paused: false, pausedClients: 0, unstored: 0 });
  }, 240_000);

  it('without a bound (pauseAt 0) the broker reads the whole burst into the gateway while storage is held', async () => {
    const gw = await gateway(0);
    const acked = paced(await client());
    await waitFor(() => gw.bus.totalPushed() === MESSAGES, 120_000, 'the whole burst read ahead of storage');
    expect(acked()).toBe(0);
    expect(gw.bus.backlog()).toBeGreaterThan(MESSAGES / 2);
    gw.release();
    await waitFor(() => acked() === MESSAGES, 120_000, 'every message acknowledged');
  }, 240_000);
});
