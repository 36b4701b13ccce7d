/**
 * How fast the spool's backlog is drained into the server: AIMD with a slow start, like TCP's
 * congestion window.
 *
 * - **Slow start** (from the start, and again after an outage: no answer from the server): each request answered within the
 *   latency target adds its own throughput (its lines / its seconds) to the rate, as TCP adds each
 *   acknowledged segment to its window (the rate doubles about once per round trip). The rate so
 *   reaches what the server takes within a few requests, instead of climbing there by one batch per
 *   answer: with the additive step alone a drain that started at 60,000 lines/s needed about 1 s per
 *   e-fold (each request of `batchSize` lines adding `batchSize` lines/s) and stayed below the
 *   server's pace for most of a 200,000-line backlog (see BENCHMARKS.md, drain5).
 * - **Congestion avoidance** after the first slow answer or overload answer (5xx, 429): each answer within the target adds
 *   `increaseLinesPerSecond` (one batch per second).
 * - A slow answer (above the target) multiplies the rate by `slowFactor`, an outage, timeout or
 *   overload (5xx, 429) by `errorFactor`.
 *
 * Failures in a row count once: the retries of an outage (every `retryMax` until the server is
 * back) say nothing more about its capacity than the first failure did, so a long outage no longer
 * leaves the rate at the floor and the drain crawling back up from it when the server returns.
 *
 * The request timeout scales with the batch: the configured timeout, or four times what the
 * batch is expected to take from the seconds per line observed so far (a moving average),
 * whichever is larger, at most `maxTimeoutFactor` × the configured one. A server slowed by load
 * is then not declared unavailable for a large batch it is still writing.
 */
import type { WriteResult } from './write-result.ts';

/**
 * A backlog request carries up to this many times `batchSize` lines (live requests carry
 * `batchSize`): each request costs a round trip and a few turns of the storage worker's event
 * loop, which on a loaded machine wait behind its commits; larger backlog requests pay that
 * once per 4 batches. Only while the drain rate allows it (at most one second's worth).
 */
export const BACKLOG_BATCH_FACTOR = 4;

/**
 * Backlog requests in flight at once (one live request besides): while one request is on the
 * wire or in the server, the next one is being read, encoded and gzipped, and the server writes
 * two bodies in parallel on its cores.
 */
export const BACKLOG_REQUESTS_IN_FLIGHT = 2;

export interface DrainControllerOptions {
  /** The rate to start from (lines/s), `storage.influx.drainLinesPerSecond`. */
  readonly initialLinesPerSecond: number;
  readonly minLinesPerSecond?: number;
  readonly maxLinesPerSecond?: number;
  /** Added per request answered within the latency target (default: one batch per second). */
  readonly increaseLinesPerSecond?: number;
  /** A request slower than this is a congestion signal (default: a quarter of the timeout). */
  readonly targetLatencyMs?: number;
  readonly slowFactor?: number;
  readonly errorFactor?: number;
  /** The configured request timeout and the batch it is meant for. */
  readonly baseTimeoutMs: number;
  readonly batchSize: number;
  readonly maxTimeoutFactor?: number;
}

export class DrainController {
  private rate: number;
  private readonly min: number;
  private readonly max: number;
  private readonly increase: number;
  private readonly targetMs: number;
  private readonly slowFactor: number;
  private readonly errorFactor: number;
  private readonly o: DrainControllerOptions;
  /** Moving average of seconds per line of answered requests; null before the first. */
  private secondsPerLine: number | null = null;
  /** The last result was a failure: further failures before an answer do not lower the rate again. */
  private failing = false;
  /** Slow start: no slow answer since the start or the last failure. */
  private slowStart = true;

  constructor(o: DrainControllerOptions) {
    this.o = o;
    this.min = o.minLinesPerSecond ?? Math.min(500, o.initialLinesPerSecond);
    this.max = o.maxLinesPerSecond ?? 2_000_000;
    this.rate = Math.min(this.max, Math.max(this.min, o.initialLinesPerSecond));
    this.increase = o.increaseLinesPerSecond ?? o.batchSize;
    this.targetMs = o.targetLatencyMs ?? o.baseTimeoutMs / 4;
    this.slowFactor = o.slowFactor ?? 0.7;
    this.errorFactor = o.errorFactor ?? 0.5;
  }

  /** Lines per second the backlog may be drained at now. */
  linesPerSecond(): number {
    return this.rate;
  }

  /**
   * Feed the outcome of one write request of `lines` lines that took `seconds`; `status` is the
   * HTTP status of a failure the server answered (5xx, 429, 408: overload), absent for an outage
   * or a timeout.
   */
  onResult(lines: number, seconds: number, result: WriteResult['kind'], status?: number): void {
    if (result === 'misconfigured') return; // says nothing about the server's capacity
    if (result === 'unavailable') {
      if (!this.failing) this.rate = Math.max(this.min, this.rate * this.errorFactor);
      this.failing = true;
      // Unreachable: it may come back with another capacity (a restart), so probe it again in slow
      // start. An overload answer (5xx, 429) says the rate was too high: grow additively after it.
      this.slowStart = status === undefined;
      return;
    }
    this.failing = false;
    if (lines > 0) {
      const perLine = seconds / lines;
      this.secondsPerLine = this.secondsPerLine === null ? perLine : 0.8 * this.secondsPerLine + 0.2 * perLine;
    }
    if (seconds * 1000 > this.targetMs) {
      this.rate = Math.max(this.min, this.rate * this.slowFactor);
      this.slowStart = false;
    } else {
      // an answer within 1 ms counts as taking 1 ms (a virtual clock, a tiny request)
      const step = this.slowStart ? lines / Math.max(seconds, 0.001) : this.increase;
      this.rate = Math.min(this.max, this.rate + Math.max(this.increase, step));
    }
  }

  /** Timeout for a request of `lines` lines (ms). */
  timeoutMs(lines: number): number {
    const base = this.o.baseTimeoutMs;
    const expected = this.secondsPerLine === null ? 0 : this.secondsPerLine * lines * 1000;
    return Math.round(Math.min(base * (this.o.maxTimeoutFactor ?? 6), Math.max(base, 4 * expected)));
  }
}
