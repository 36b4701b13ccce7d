/**
 * One connection's backlog cannot hold the event loop: Mosquitto with no in-flight limit sends a
 * persistent session's 20,000 queued QoS 1 messages at once, and the connector hands them over in
 * batches of at most MESSAGES_PER_TURN (one batch per turn of the loop); a timer set when the
 * backlog starts to arrive runs before the backlog is through.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MESSAGES_PER_TURN } from '../../gateway/connectors/mqtt/mqtt-ack-after-commit.ts';
import type { MqttConnector } from '../../gateway/connectors/mqtt/mqtt-connector.ts';
import type { Sample, SampleSink } from '../../gateway/model/sample.ts';
import { startMosquitto, type Mosquitto } from '../support/mosquitto.ts';
import { makeMqttConnector, publisher } from '../support/mqtt-fixture.ts';
import { waitFor } from '../support/wait-for.ts';

let broker: Mosquitto | undefined;
let connector: MqttConnector | undefined;

afterEach(async () => {
  await connector?.stop();
  await broker?.stop();
  connector = undefined;
  broker = undefined;
});

class BatchSizes implements SampleSink {
  readonly sizes: number[] = [];
  received = 0;
  /** Messages received when the first timer after the first batch ran. */
  atTimer: number | undefined;

  push(batch: readonly Sample[]): void {
    if (this.sizes.length === 0) setTimeout(() => (this.atTimer = this.received), 0);
    this.sizes.push(batch.length);
    this.received += batch.length;
  }
}

describe('MQTT connector: a turn of the event loop per share of a backlog (real Mosquitto)', () => {
  it('hands 20,000 queued messages over in batches of at most MESSAGES_PER_TURN, and a timer runs in between', async () => {
    const backlog = 20_000;
    broker = await startMosquitto({ maxQueuedMessages: 100_000, maxInflightMessages: 0 });
    const config = { url: broker.url, clientId: 'gw-turns', clean: false, qos: 1, lifeSafetyConnection: false };
    const devices = [{ id: 'pump-1', kind: 'pump' as const, binding: { topic: 'p/pump-1' } }];
    const first = makeMqttConnector(config, devices).connector;
    await first.start(new BatchSizes());
    await waitFor(() => first.health().connected, 5_000, 'first connect');
    await first.stop();
    const pub = await publisher(broker.url);
    for (let at = 0; at < backlog; at += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, k) => pub.publishAsync('p/pump-1', JSON.stringify({ discharge_bar: at + k }), { qos: 1 })));
    }
    await pub.endAsync();

    const sink = new BatchSizes();
    connector = makeMqttConnector(config, devices).connector;
    await connector.start(sink);
    await waitFor(() => sink.received >= backlog, 30_000, `${backlog} queued messages`);
    expect(sink.received).toBe(backlog);
    expect(Math.max(...sink.sizes)).toBeLessThanOrEqual(MESSAGES_PER_TURN);
    expect(sink.sizes.length).toBeGreaterThanOrEqual(backlog / MESSAGES_PER_TURN);
    expect(sink.atTimer).toBeLessThan(backlog);
  }, 60_000);
});
