/**
 * One Clock timer aimed at a wall-clock instant (an SLA deadline, the next maintenance run).
 * Long waits are cut into segments of at most 6 h, so a quarter-long wait neither overflows
 * setTimeout (2^31 ms) nor drifts from the wall clock by more than one segment's worth.
 */
import type { Clock, Timer } from '../../gateway/model/clock.ts';

const MAX_SEGMENT_MS = 6 * 3_600_000;

export class DeadlineTimer {
  private readonly clock: Clock;
  private readonly fire: () => void;
  private timer: Timer | undefined;
  private target: number | undefined;

  constructor(clock: Clock, fire: () => void) {
    this.clock = clock;
    this.fire = fire;
  }

  /** Fire at wall time `at` (at once if past); undefined disarms. */
  armAt(at: number | undefined): void {
    if (at === this.target && this.timer) return;
    this.cancel();
    if (at === undefined) return;
    this.target = at;
    const wait = Math.max(0, at - this.clock.now());
    this.timer = this.clock.setTimer(Math.min(wait, MAX_SEGMENT_MS), () => {
      this.timer = undefined;
      if (this.clock.now() < at) {
        this.target = undefined;
        this.armAt(at);
        return;
      }
      this.target = undefined;
      this.fire();
    });
  }

  get armedFor(): number | undefined {
    return this.target;
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.target = undefined;
  }
}
