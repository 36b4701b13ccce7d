import { describe, expect, it } from 'vitest';
import { SampleBus } from '../../../gateway/bus/sample-bus.ts';
import type { Sample } from '../../../gateway/model/sample.ts';

const sample = (i: number): Sample => ({ device: 'd', point: 'p', value: i, ts: i, quality: 'good' });
const batch = (from: number, n: number): Sample[] => Array.from({ length: n }, (_, k) => sample(from + k));

describe('SampleBus', () => {
  it('delivers every batch to every subscriber in order', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    const a: number[] = [];
    const b: number[] = [];
    bus.subscribe('a', (xs) => void a.push(...xs.map((s) => s.value as number)));
    bus.subscribe('b', async (xs) => {
      await new Promise((r) => setImmediate(r)); // a consumer that finishes later than it is called
      b.push(...xs.map((s) => s.value as number));
    });
    for (let i = 0; i < 10; i++) bus.push(batch(i * 10, 10));
    await bus.drain();
    expect(a).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(b).toEqual(a);
  });

  it('counts overflow of a stalled consumer and drops the oldest samples, not the newest', async () => {
    const bus = new SampleBus({ capacity: 100 });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const got: number[] = [];
    let first = true;
    bus.subscribe('slow', async (xs) => {
      if (first) {
        first = false;
        await gate;
      }
      got.push(...xs.map((s) => s.value as number));
    });
    const fast: number[] = [];
    bus.subscribe('fast', (xs) => void fast.push(...xs.map((s) => s.value as number)), { capacity: 1_000 });
    bus.push(batch(0, 10)); // taken by the slow consumer, which then stalls
    await new Promise((r) => setImmediate(r));
    for (let i = 1; i <= 30; i++) bus.push(batch(i * 10, 10)); // 300 more while it is stalled
    const stalled = bus.stats().find((s) => s.name === 'slow');
    expect(stalled?.depth).toBe(100);
    expect(stalled?.dropped).toBe(200);
    release();
    await bus.drain();
    expect(got.slice(0, 10)).toEqual(batch(0, 10).map((s) => s.value));
    expect(got.slice(10)).toEqual(batch(210, 100).map((s) => s.value)); // the newest 100 survived
    expect(fast).toHaveLength(310);
    expect(bus.stats().find((s) => s.name === 'fast')?.dropped).toBe(0);
  });

  it('a throwing consumer is counted and does not stop delivery', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    let calls = 0;
    bus.subscribe('flaky', (xs) => {
      calls++;
      if (xs[0]?.value === 0) throw new Error('boom');
    });
    bus.push(batch(0, 5));
    await bus.drain();
    bus.push(batch(5, 5));
    await bus.drain();
    expect(calls).toBe(2);
    expect(bus.stats()[0]?.handlerErrors).toBe(1);
  });

  it('sync delivery runs handlers inside push (virtual-time replay)', () => {
    const bus = new SampleBus({ capacity: 10, delivery: 'sync' });
    const got: Sample[] = [];
    bus.subscribe('x', (xs) => void got.push(...xs));
    bus.push(batch(0, 3));
    expect(got).toHaveLength(3);
  });
});

describe('SampleBus batching, priority lane and durable pushes', () => {
  const alarm = (i: number): Sample => ({ device: 'smoke-1', point: 'alarm', value: true, ts: i, quality: 'good' });

  it('hands a consumer everything queued in one call, not one call per push', async () => {
    const bus = new SampleBus({ capacity: 10_000 });
    const calls: number[] = [];
    bus.subscribe('storage', (xs) => void calls.push(xs.length));
    for (let i = 0; i < 1_000; i++) bus.push([sample(i)]);
    await bus.drain();
    expect(calls).toEqual([1_000]);
  });

  it('respects maxBatch when merging pushes', async () => {
    const bus = new SampleBus({ capacity: 10_000, maxBatch: 300 });
    const calls: number[] = [];
    bus.subscribe('storage', (xs) => void calls.push(xs.length));
    for (let i = 0; i < 1_000; i++) bus.push([sample(i)]);
    await bus.drain();
    expect(calls).toEqual([300, 300, 300, 100]);
  });

  it('hands each push to a `first` consumer (the rules) before the consumers subscribed earlier', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    const calls: string[] = [];
    bus.subscribe('storage', async () => void calls.push('storage'), { durable: true });
    bus.subscribe('live', () => void calls.push('live'));
    bus.subscribe('rules', () => void calls.push('rules'), { first: true });
    bus.subscribe('uptime', () => void calls.push('uptime'));
    bus.push(batch(0, 3));
    await bus.drain();
    bus.push(batch(3, 3));
    await bus.drain();
    expect(calls).toEqual(['rules', 'storage', 'live', 'uptime', 'rules', 'storage', 'live', 'uptime']);
    expect(bus.stats().map((s) => s.name)).toEqual(['rules', 'storage', 'live', 'uptime']);
  });

  it('hands life-safety samples out before queued telemetry', async () => {
    const bus = new SampleBus({ capacity: 100_000, maxBatch: 1_000, isPriority: (s) => s.device === 'smoke-1' });
    const firstBatch: Sample[][] = [];
    bus.subscribe('rules', (xs) => void firstBatch.push([...xs]));
    bus.push(batch(0, 5_000));
    bus.push([alarm(1)]);
    await bus.drain();
    expect(firstBatch[0]?.[0]).toEqual(alarm(1));
    expect(firstBatch.flat()).toHaveLength(5_001);
  });

  it('never drops a life-safety sample when the queue overflows', async () => {
    const bus = new SampleBus({ capacity: 100, isPriority: (s) => s.device === 'smoke-1' });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const got: Sample[] = [];
    let first = true;
    bus.subscribe('slow', async (xs) => {
      if (first) {
        first = false;
        await gate;
      }
      got.push(...xs);
    });
    bus.push(batch(0, 10));
    await new Promise((r) => setImmediate(r));
    bus.push([alarm(7)]);
    bus.push(batch(100, 1_000));
    release();
    await bus.drain();
    expect(got.filter((s) => s.device === 'smoke-1')).toEqual([alarm(7)]);
    expect(bus.stats()[0]?.dropped).toBe(1_000 - 99);
  });

  it('pushDurable resolves only after the durable consumer finished the batch', async () => {
    const bus = new SampleBus({ capacity: 1_000 });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const stored: number[] = [];
    bus.subscribe('storage', async (xs) => {
      await gate;
      stored.push(...xs.map((s) => s.value as number));
    }, { durable: true });
    bus.subscribe('live', () => {});
    let acked = false;
    const p = bus.pushDurable([sample(1)]).then(() => (acked = true));
    // let every queued callback run (no wall-clock wait): the ack must still be held by the consumer
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(acked).toBe(false);
    release();
    await p;
    expect(stored).toEqual([1]);
  });

  it('pushDurable rejects when the durable consumer fails or drops the samples', async () => {
    const bus = new SampleBus({ capacity: 5 });
    bus.subscribe('storage', () => {
      throw new Error('disk full');
    }, { durable: true });
    await expect(bus.pushDurable([sample(1)])).rejects.toThrow('disk full');
    const bus2 = new SampleBus({ capacity: 5 });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    bus2.subscribe('storage', async () => void (await gate), { durable: true });
    bus2.push(batch(0, 1));
    await new Promise((r) => setImmediate(r));
    const dropped = bus2.pushDurable(batch(10, 3));
    bus2.push(batch(20, 5));
    await expect(dropped).rejects.toThrow('full');
    release();
    await bus2.drain();
  });
});

describe('SampleBus backlog (what intake back-pressure watches)', () => {
  it('is the telemetry lane of the slowest consumer, without the priority lane, and is announced after each batch', async () => {
    const bus = new SampleBus({ capacity: 100_000, maxBatch: 1_000, isPriority: (s) => s.device === 'smoke-1' });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe('fast', () => undefined);
    bus.subscribe('slow', async () => gate);
    const seen: number[] = [];
    bus.onBatchHandled(() => seen.push(bus.backlog()));
    expect(bus.backlog()).toBe(0);
    bus.push(batch(0, 1_000)); // taken by 'slow', which then waits
    await new Promise((r) => setImmediate(r));
    bus.push(batch(1_000, 2_500));
    bus.push([{ device: 'smoke-1', point: 'alarm', value: true, ts: 1, quality: 'good' }]);
    await new Promise((r) => setImmediate(r));
    expect(bus.backlog()).toBe(2_500); // the stalled consumer's telemetry; the fire alarm not counted
    release();
    await bus.drain();
    expect(bus.backlog()).toBe(0);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.at(-1)).toBe(0);
  });
});
