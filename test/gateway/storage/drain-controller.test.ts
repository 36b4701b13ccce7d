import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/log/logger.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';
import { DrainController } from '../../../gateway/storage/drain-controller.ts';
import { MemorySpool } from '../../../gateway/storage/memory-spool.ts';
import { TelemetryForwarder } from '../../../gateway/storage/telemetry-forwarder.ts';
import type { LineWriter, WriteResult } from '../../../gateway/storage/write-result.ts';

describe('DrainController (AIMD)', () => {
  const make = () => new DrainController({ initialLinesPerSecond: 20_000, baseTimeoutMs: 10_000, batchSize: 5000 });

  it('adds a batch per second to the rate for each quick answer, beyond the old fixed 20k cap', () => {
    const c = make();
    for (let i = 0; i < 10; i++) c.onResult(5000, 0.1, 'ok');
    expect(c.linesPerSecond()).toBe(70_000);
  });

  it('halves on an outage, timeout or overload, and shrinks by 0.7 on a slow answer; never below the floor', () => {
    const c = make();
    c.onResult(5000, 0, 'unavailable');
    expect(c.linesPerSecond()).toBe(10_000);
    c.onResult(5000, 3, 'ok'); // above the 2.5 s target (a quarter of the timeout)
    expect(c.linesPerSecond()).toBe(7000);
    for (let i = 0; i < 50; i++) {
      c.onResult(5000, 0, 'unavailable');
      c.onResult(500, 3, 'ok'); // answered, slowly
    }
    expect(c.linesPerSecond()).toBe(500);
    c.onResult(5000, 0, 'misconfigured'); // says nothing about capacity
    expect(c.linesPerSecond()).toBe(500);
  });

  it('counts failures in a row once: a long outage does not leave the rate at the floor', () => {
    const c = make();
    for (let i = 0; i < 5; i++) c.onResult(5000, 0.1, 'ok'); // 45,000
    for (let i = 0; i < 60; i++) c.onResult(500, 0, 'unavailable'); // retries during a minute's outage
    expect(c.linesPerSecond()).toBe(22_500);
    c.onResult(5000, 0.1, 'ok'); // back: the rate grows again from where the outage left it
    expect(c.linesPerSecond()).toBe(27_500);
    c.onResult(5000, 0, 'unavailable'); // a new failure after an answer lowers it again
    expect(c.linesPerSecond()).toBe(13_750);
  });

  it('scales the request timeout with the batch from the observed seconds per line', () => {
    const c = make();
    expect(c.timeoutMs(5000)).toBe(10_000); // nothing observed yet: the configured timeout
    c.onResult(5000, 2, 'ok'); // 0.4 ms per line
    expect(c.timeoutMs(5000)).toBe(10_000); // 4 × 2 s = 8 s < 10 s
    expect(c.timeoutMs(10_000)).toBe(16_000); // 4 × 4 s
    expect(c.timeoutMs(1_000_000)).toBe(60_000); // at most 6 × the configured timeout
  });
});

/**
 * A server on the virtual clock that writes `capacity` lines per second: each request waits its
 * turn and takes lines / capacity seconds (plus 20 ms); more than 2 s of queued work is a 503.
 */
class CapacitySink implements LineWriter {
  readonly target = 'capacity';
  stored = 0;
  overloads = 0;
  private busyUntil = 0;
  private readonly clock: VirtualClock;
  private readonly capacity: number;
  constructor(clock: VirtualClock, capacity: number) {
    this.clock = clock;
    this.capacity = capacity;
  }
  write(lines: readonly string[]): Promise<WriteResult> {
    const now = this.clock.monotonic();
    const start = Math.max(now, this.busyUntil);
    if (start - now > 2000) {
      this.overloads++;
      return Promise.resolve({ kind: 'unavailable', status: 503, message: 'HTTP 503: overloaded' });
    }
    this.busyUntil = start + 20 + (lines.length / this.capacity) * 1000;
    return new Promise((resolve) =>
      this.clock.setTimer(this.busyUntil - now, () => {
        this.stored += lines.length;
        resolve({ kind: 'ok' });
      }),
    );
  }
  async close(): Promise<void> {}
}

describe('adaptive drain in the forwarder (virtual clock)', () => {
  it('follows a server of 10k lines/s: drains a 60k backlog far faster than the starting 1k lines/s while live data keeps flowing', { timeout: 60_000 }, async () => {
    const clock = new VirtualClock();
    const sink = new CapacitySink(clock, 10_000);
    const spool = new MemorySpool({ maxBytes: 1 << 30 });
    spool.append(Array.from({ length: 60_000 }, (_, i) => `m v=${i} ${i}`), 0);
    const fwd = new TelemetryForwarder({ spool, writer: sink, clock, log: silentLogger(), batchSize: 1000, flushIntervalMs: 1000, drainLinesPerSecond: 1000, retryMinMs: 1000, retryMaxMs: 8000, requestTimeoutMs: 10_000 });
    fwd.start();
    let live = 0;
    const yieldTurn = (): Promise<void> => new Promise((r) => setImmediate(r));
    for (let ms = 0; ms < 40_000 && spool.stats().depth > 0; ms += 50) {
      if (ms % 100 === 0) {
        fwd.append(Array.from({ length: 100 }, (_, i) => `live v=${live + i} ${live + i}`)); // 1k lines/s intake
        live += 100;
      }
      clock.advance(50);
      for (let k = 0; k < 5; k++) await yieldTurn();
    }
    // At the fixed starting rate the backlog alone would take 60 s (at most 40k of it in the 40 s).
    expect(spool.stats().depth).toBeLessThan(2000);
    expect(sink.stored).toBeGreaterThanOrEqual(60_000 + live - 2000);
    expect(fwd.status().drainLinesPerSecond).toBeGreaterThan(1000);
    await fwd.stop();
  });
});
