/**
 * While the telemetry sink cannot be connected to (refused, reset: no HTTP answer), check every
 * `every` ms whether it listens again (`LineWriter.reachable`, a TCP connect: listener-probe.ts),
 * and when it does, hand over to the forwarder to retry at once instead of after the rest of its
 * back-off (up to `retryMax`, 30 s by default). The probe ends with the back-off (the retry is due
 * anyway), a success, another kind of failure, or stop.
 */
import type { Clock, Timer } from '../model/clock.ts';
import type { LineWriter } from './write-result.ts';

/** Default probe interval while the sink is unreachable. */
export const PROBE_INTERVAL_MS = 250;

export interface ReturnProbeDeps {
  readonly writer: LineWriter;
  readonly clock: Clock;
  readonly every: number;
  /** True while the forwarder is still waiting out a back-off after an unreachable failure. */
  readonly waiting: () => boolean;
  /** The sink listens again: retry now. */
  readonly onReturn: () => void;
}

export class ReturnProbe {
  readonly every: number;
  private readonly d: ReturnProbeDeps;
  private timer: Timer | undefined;
  /** Bumped whenever probing starts or stops, so an answer to an older probe is ignored. */
  private gen = 0;

  constructor(deps: ReturnProbeDeps) {
    this.d = deps;
    this.every = deps.every;
  }

  start(): void {
    this.stop();
    if (this.d.writer.reachable) this.schedule(this.gen);
  }

  stop(): void {
    this.gen++;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(gen: number): void {
    this.timer = this.d.clock.setTimer(this.every, () => {
      this.timer = undefined;
      if (gen !== this.gen || !this.d.waiting()) return;
      const again = (): void => {
        if (gen === this.gen && this.d.waiting()) this.schedule(gen);
      };
      void this.d.writer.reachable?.(this.every).then((up) => {
        if (gen !== this.gen || !this.d.waiting()) return;
        if (up) {
          this.gen++;
          this.d.onReturn();
        } else again();
      }, again);
    });
  }
}
