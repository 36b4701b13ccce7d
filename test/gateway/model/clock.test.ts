import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../gateway/model/clock.ts';

describe('VirtualClock', () => {
  it('fires timers in due order, each seeing its own due time', () => {
    const clock = new VirtualClock(0);
    const seen: Array<[string, number]> = [];
    clock.setTimer(300, () => seen.push(['c', clock.now()]));
    clock.setTimer(100, () => seen.push(['a', clock.now()]));
    clock.setTimer(100, () => seen.push(['b', clock.now()]));
    clock.advance(250);
    expect(seen).toEqual([['a', 100], ['b', 100]]);
    clock.advance(100);
    expect(seen.at(-1)).toEqual(['c', 300]);
    expect(clock.now()).toBe(350);
  });

  it('repeats intervals and stops them on cancel', () => {
    const clock = new VirtualClock(0);
    let n = 0;
    const t = clock.setInterval(1_000, () => n++);
    clock.advance(10_500);
    expect(n).toBe(10);
    t.cancel();
    clock.advance(10_000);
    expect(n).toBe(10);
    expect(clock.pending()).toBe(0);
  });

  it('a wall-clock step neither fires nor stalls timers', () => {
    const clock = new VirtualClock(1_000_000);
    let fired = 0;
    clock.setTimer(60_000, () => fired++);
    clock.stepWallClock(3_600_000); // NTP jumps an hour forward
    clock.advance(59_000);
    expect(fired).toBe(0);
    clock.stepWallClock(-7_200_000); // and two hours back
    clock.advance(1_000);
    expect(fired).toBe(1);
  });

  it('timers scheduled from a timer fire in the same advance when due', () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(10, () => {
      seen.push(clock.now());
      clock.setTimer(10, () => seen.push(clock.now()));
    });
    clock.advance(100);
    expect(seen).toEqual([10, 20]);
  });
});
