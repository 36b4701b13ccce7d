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
