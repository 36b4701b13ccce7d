/**
 * Latencies in fixed histogram buckets (seconds), counted where they happen (a connector's request,
 * a storage commit) without prom-client on that path: one comparison loop and three additions per
 * observation, no allocation. /metrics reads the snapshot at scrape time (scrape-metric.ts).
 */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface LatencySnapshot {
  /** Upper bounds in seconds, ascending (the `+Inf` bucket is `count`). */
  readonly buckets: readonly number[];
  /** Cumulative counts per bound (Prometheus `le` semantics). */
  readonly cumulative: readonly number[];
  readonly count: number;
  readonly sumSeconds: number;
}

export class LatencyBuckets {
  private readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private count = 0;
  private sum = 0;

  observe(seconds: number): void {
    const s = seconds < 0 ? 0 : seconds;
    this.count++;
    this.sum += s;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (s <= (LATENCY_BUCKETS[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }

  snapshot(): LatencySnapshot {
    let running = 0;
    const cumulative = this.counts.map((n) => (running += n));
    return { buckets: LATENCY_BUCKETS, cumulative, count: this.count, sumSeconds: this.sum };
  }
}
