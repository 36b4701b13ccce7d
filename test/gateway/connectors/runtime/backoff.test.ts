import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../gateway/connectors/runtime/backoff.ts';
import { backoffDelay } from '../../../../gateway/platform/backoff.ts';

describe('the connector backoff', () => {
  it('doubles from the minimum, caps at the maximum, and jitters within [step/2, step]', () => {
    const policy = { min: 500, max: 30_000 };
    const low = (n: number) => backoffDelay(n, policy, () => 0);
    const high = (n: number) => backoffDelay(n, policy, () => 1);
    expect([0, 1, 2, 3, 6, 7, 50].map(high)).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000]);
    expect([0, 1, 6, 50].map(low)).toEqual([250, 500, 15_000, 15_000]);
  });

  it('a smaller jitter share draws less off the step (work-order deliveries use 0.2: 80–100 %)', () => {
    const policy = { min: 1000, max: 60_000, jitter: 0.2 };
    expect([0, 1, 2].map((n) => backoffDelay(n, policy, () => 1))).toEqual([1000, 2000, 4000]);
    expect([0, 1, 2].map((n) => backoffDelay(n, policy, () => 0))).toEqual([800, 1600, 3200]);
    expect(backoffDelay(20, policy, () => 1)).toBe(60_000);
  });

  it('a sequence never exceeds its cap, uses the injected random source, and resets', () => {
    const draws = [0.5, 0, 1, 0.25];
    let i = 0;
    const b = new Backoff({ min: 1000, max: 3000 }, () => draws[i++ % draws.length] as number);
    expect([b.next(), b.next(), b.next(), b.next()]).toEqual([750, 1000, 3000, 1875]);
    expect(b.attempts).toBe(4);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(750); // back to the first step (1000), drawn at 0.5
  });

  it('refuses a policy that cannot work', () => {
    expect(() => new Backoff({ min: 0, max: 10 }, Math.random)).toThrow(/min/);
    expect(() => new Backoff({ min: 10, max: 5 }, Math.random)).toThrow(/max/);
  });
});
