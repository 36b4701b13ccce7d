/**
 * How fast the spool's backlog is drained into the server: AIMD, like TCP's congestion window.
 * Each answered request within the latency target adds `increaseLinesPerSecond` to the rate; a
 * slow answer (above the target) multiplies it by `slowFactor`, an outage, timeout or overload
 * (5xx, 429) by `errorFactor`. The rate so follows what the server takes instead of a fixed cap.
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

  /** Feed the outcome of one write request of `lines` lines that took `seconds`. */
  onResult(lines: number, seconds: number, result: WriteResult['kind']): void {
    if (result === 'misconfigured') return; // says nothing about the server's capacity
    if (result === 'unavailable') {
      if (!this.failing) this.rate = Math.max(this.min, this.rate * this.errorFactor);
      this.failing = true;
      return;
    }
    this.failing = false;
    if (lines > 0) {
      const perLine = seconds / lines;
      this.secondsPerLine = this.secondsPerLine === null ? perLine : 0.8 * this.secondsPerLine + 0.2 * perLine;
    }
    if (seconds * 1000 > this.targetMs) this.rate = Math.max(this.min, this.rate * this.slowFactor);
    else this.rate = Math.min(this.max, this.rate + this.increase);
  }

  /** Timeout for a request of `lines` lines (ms). */
  timeoutMs(lines: number): number {
    const base = this.o.baseTimeoutMs;
    const expected = this.secondsPerLine === null ? 0 : this.secondsPerLine * lines * 1000;
    return Math.round(Math.min(base * (this.o.maxTimeoutFactor ?? 6), Math.max(base, 4 * expected)));
  }
}
