/**
 * Samples/s and requests/s of a connector over the last `windowMs`, for `/api/health`. Takes a
 * snapshot of the running counters once a second on the injected Clock; the rate is the difference
 * between the newest and the oldest snapshot in the window.
 */
import type { Clock, Timer } from '../model/clock.ts';

interface Snapshot {
  readonly at: number;
  readonly samples: number;
  readonly requests: number;
}

export interface Throughput {
  readonly samplesPerSecond: number;
  readonly requestsPerSecond: number;
}

export class ThroughputMeter {
  private readonly clock: Clock;
  private readonly read: () => { samples: number; requests: number };
  private readonly windowMs: number;
  private snapshots: Snapshot[] = [];
  private timer: Timer | undefined;

  constructor(clock: Clock, read: () => { samples: number; requests: number }, windowMs = 10_000) {
    this.clock = clock;
    this.read = read;
    this.windowMs = windowMs;
  }

  start(): void {
    this.stop();
    this.snapshots = [this.take()];
    this.timer = this.clock.setInterval(1_000, () => {
      this.snapshots.push(this.take());
      const oldest = this.clock.monotonic() - this.windowMs;
      while (this.snapshots.length > 2 && (this.snapshots[0] as Snapshot).at < oldest) this.snapshots.shift();
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  rates(): Throughput {
    const first = this.snapshots[0];
    const last = this.snapshots.at(-1);
    if (!first || !last || last.at <= first.at) return { samplesPerSecond: 0, requestsPerSecond: 0 };
    const seconds = (last.at - first.at) / 1000;
    return {
      samplesPerSecond: Math.round(((last.samples - first.samples) / seconds) * 10) / 10,
      requestsPerSecond: Math.round(((last.requests - first.requests) / seconds) * 10) / 10,
    };
  }

  private take(): Snapshot {
    const { samples, requests } = this.read();
    return { at: this.clock.monotonic(), samples, requests };
  }
}
