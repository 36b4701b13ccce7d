import { RealClock } from '../../gateway/model/clock.ts';

/**
 * A real clock whose every `now()` is a later millisecond than the one before: the worst case of a
 * millisecond tick between two reads, on every read. Code that takes the time twice and assumes
 * both reads agree fails against it every time instead of once in a few hundred runs.
 */
export class TickingClock extends RealClock {
  private last = 0;

  override now(): number {
    this.last = Math.max(Date.now(), this.last + 1);
    return this.last;
  }
}
