/**
 * Acknowledge-after-commit by packet id: the QoS 1 messages of one turn of the event loop are one
 * bus push, and their ids go to the acknowledgement together, only after the durable consumer
 * stored them (never before, never on a failed store); the PUBACKs of a batch are valid MQTT
 * packets written back to back.
 */
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { SampleBus } from '../../../../gateway/bus/sample-bus.ts';
import { IngestBatcher } from '../../../../gateway/connectors/mqtt/ingest-batcher.ts';
import { pubackPackets } from '../../../../gateway/connectors/mqtt/mqtt-ack-after-commit.ts';
import type { Sample } from '../../../../gateway/model/sample.ts';

const sample = (i: number): Sample => ({ device: `d${i}`, point: 'p', value: i, ts: i, quality: 'good' });

describe('IngestBatcher with packet ids', () => {
  it('acknowledges the ids of one turn together, once, after the durable consumer stored them', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    const stored: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe(
      'storage',
      async (batch) => {
        await gate;
        stored.push(...batch.map((s) => s.value as number));
      },
      { durable: true },
    );
    const acked: number[][] = [];
    const batcher = new IngestBatcher(bus, { ok: (ids) => void acked.push([...ids]), fail: () => expect.unreachable('no failure') });
    for (let i = 1; i <= 5; i++) batcher.addWithId([sample(i)], 100 + i);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual([]); // not stored yet: nothing acknowledged
    release();
    await bus.drain();
    await new Promise((r) => setImmediate(r));
    expect(stored).toEqual([1, 2, 3, 4, 5]);
    expect(acked).toEqual([[101, 102, 103, 104, 105]]);
  });

  it('refuses the ids of a batch whose store failed, and acknowledges none of them', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    bus.subscribe(
      'storage',
      async () => {
        throw new Error('disk full');
      },
      { durable: true },
    );
    const acked: number[] = [];
    const refused: Array<{ ids: number[]; err: string }> = [];
    const batcher = new IngestBatcher(bus, { ok: (ids) => void acked.push(...ids), fail: (ids, err) => void refused.push({ ids: [...ids], err: err.message }) });
    batcher.addWithId([sample(1)], 7);
    batcher.addWithId([sample(2)], 8);
    await new Promise((r) => setImmediate(r));
    await bus.drain();
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual([]);
    expect(refused).toEqual([{ ids: [7, 8], err: 'disk full' }]);
  });

  it('a message without samples (unreadable payload) is acknowledged without a push', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    let pushes = 0;
    bus.subscribe('storage', () => void pushes++, { durable: true });
    const acked: number[] = [];
    const batcher = new IngestBatcher(bus, { ok: (ids) => void acked.push(...ids), fail: () => expect.unreachable('no failure') });
    batcher.addWithId([], 42);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual([42]);
    expect(pushes).toBe(0);
  });
});

describe('pubackPackets', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`are PUBACK packets an MQTT ${protocolVersion === 4 ? '3.1.1' : '5'} parser reads back, in order`, () => {
      const ids = [1, 258, 40_000, 65_535];
      const parser = mqttPacket.parser({ protocolVersion });
      const got: Array<{ cmd: string; messageId?: number; reasonCode?: number }> = [];
      parser.on('packet', (p: mqttPacket.Packet) => got.push(p as { cmd: string; messageId?: number; reasonCode?: number }));
      parser.on('error', (err: Error) => expect.unreachable(err.message));
      parser.parse(pubackPackets(ids));
      expect(got.map((p) => [p.cmd, p.messageId])).toEqual(ids.map((id) => ['puback', id]));
      if (protocolVersion === 5) expect(got.every((p) => (p.reasonCode ?? 0) === 0)).toBe(true);
    });
  }
});
