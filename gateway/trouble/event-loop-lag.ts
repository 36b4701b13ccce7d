/**
 * Event-loop lag of the main thread (perf_hooks monitorEventLoopDelay): a Prometheus gauge
 * (`gateway_event_loop_lag_seconds{quantile}`), a health figure, and the trouble condition
 * `event-loop-lag` while the worst delay of the last window is above the threshold (1 s): a
 * gateway that cannot turn its event loop within a second cannot show a fire alarm within one.
 *
 * It measures real time on purpose (a virtual clock does not lag), so it uses Node timers.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import type { TroubleBoard } from './trouble-board.ts';

export interface EventLoopLag {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export const EVENT_LOOP_LAG = 'event-loop-lag';

export class EventLoopLagMonitor {
  private readonly histogram: ReturnType<typeof monitorEventLoopDelay>;
  private readonly timer: NodeJS.Timeout;
  private last: EventLoopLag = { p50Ms: 0, p99Ms: 0, maxMs: 0 };

  constructor(o: { trouble: TroubleBoard; registry?: Registry; windowMs?: number; thresholdMs?: number }) {
    const threshold = o.thresholdMs ?? 1_000;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    const windowMs = o.windowMs ?? 5_000;
    let lastTick = performance.now();
    this.timer = setInterval(() => {
      const h = this.histogram;
      // The histogram does not see a block that starts right after reset() (its first interval
      // after a reset is not recorded), so this timer's own lateness counts too.
      const now = performance.now();
      const late = Math.max(0, now - lastTick - windowMs);
      lastTick = now;
      const count = h.count;
      this.last = {
        p50Ms: count > 0 ? h.percentile(50) / 1e6 : late,
        p99Ms: Math.max(count > 0 ? h.percentile(99) / 1e6 : 0, late),
        maxMs: Math.max(count > 0 ? h.max / 1e6 : 0, late),
      };
      h.reset();
      if (this.last.maxMs > threshold) {
        o.trouble.raise(EVENT_LOOP_LAG, 'gateway', `event loop blocked for ${Math.round(this.last.maxMs)} ms (threshold ${threshold} ms): alarms may be late`);
      } else {
        o.trouble.clear(EVENT_LOOP_LAG);
      }
    }, windowMs);
    this.timer.unref();
    if (o.registry) {
      const self = this;
      const gauge: Gauge<'quantile'> = new Gauge({
        name: 'gateway_event_loop_lag_seconds',
        help: 'Main-thread event-loop delay over the last window (p50, p99, max)',
        labelNames: ['quantile'],
        registers: [o.registry],
        collect() {
          const l = self.read();
          gauge.set({ quantile: '0.5' }, l.p50Ms / 1000);
          gauge.set({ quantile: '0.99' }, l.p99Ms / 1000);
          gauge.set({ quantile: '1' }, l.maxMs / 1000);
        },
      });
    }
  }

  /** The last full window. */
  read(): EventLoopLag {
    return this.last;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
