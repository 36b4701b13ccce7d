/** The VirtualClock's timer heap keeps the (due time, creation order) semantics at scale. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { SeededRandom } from '../../../simulators/seeded-random.ts';

describe('VirtualClock timer heap', () => {
  it('fires 5,000 random timers in (due, creation) order, as a sort would', () => {
    const clock = new VirtualClock(0);
    const rng = new SeededRandom(9);
    const made: Array<{ id: number; due: number }> = [];
    const fired: number[] = [];
    for (let id = 0; id < 5_000; id++) {
      const due = rng.int(0, 500); // many equal due times
      made.push({ id, due });
      clock.setTimer(due, () => {
        expect(clock.monotonic()).toBe(due);
        fired.push(id);
      });
    }
    clock.advance(1_000);
    const expected = [...made].sort((a, b) => a.due - b.due || a.id - b.id).map((t) => t.id);
    expect(fired).toEqual(expected);
    expect(clock.pending()).toBe(0);
  });

  it('an interval keeps its creation rank against timers due at the same instant', () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    clock.setTimer(2_000, () => seen.push('early-timer'));
    const tick = clock.setInterval(1_000, () => seen.push(`tick@${clock.monotonic()}`));
    clock.setTimer(2_000, () => seen.push('late-timer'));
    clock.advance(2_000);
    expect(seen).toEqual(['tick@1000', 'early-timer', 'tick@2000', 'late-timer']);
    tick.cancel();
  });

  it('re-armed timeouts (cancel, then a new timer) do not pile up, and only the last one fires', () => {
    const clock = new VirtualClock(0);
    let fired = 0;
    let timer = clock.setTimer(3_600_000, () => fired++);
    for (let i = 0; i < 20_000; i++) {
      timer.cancel();
      timer = clock.setTimer(3_600_000, () => fired++);
      clock.advance(1);
    }
    expect(clock.pending()).toBe(1);
    clock.advance(3_600_000);
    expect(fired).toBe(1);
    expect(clock.step()).toBe(false);
  });

  it('a timer cancelled by an earlier timer due at the same instant does not fire', () => {
    const clock = new VirtualClock(0);
    const seen: string[] = [];
    let b: { cancel(): void } | undefined;
    clock.setTimer(10, () => {
      seen.push('a');
      b?.cancel();
    });
    b = clock.setTimer(10, () => seen.push('b'));
    clock.setTimer(10, () => seen.push('c'));
    clock.advance(10);
    expect(seen).toEqual(['a', 'c']);
  });
});
