import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RealClock } from '../../../gateway/model/clock.ts';
import { EVENT_LOOP_LAG, EventLoopLagMonitor } from '../../../gateway/trouble/event-loop-lag.ts';
import { TroubleBoard } from '../../../gateway/trouble/trouble-board.ts';
import { waitFor } from '../../support/wait-for.ts';

describe('event-loop lag', () => {
  it('is a metric, and a trouble condition while the loop is blocked for more than the threshold', async () => {
    const trouble = new TroubleBoard(new RealClock());
    const registry = new Registry();
    const monitor = new EventLoopLagMonitor({ trouble, registry, windowMs: 200, thresholdMs: 300 });
    try {
      // the monitor's sampling timer must be running before the block: wait for its first full window
      await waitFor(() => monitor.read().p50Ms > 0, 10_000, 'a first window of the monitor');
      const until = performance.now() + 600;
      while (performance.now() < until) {
        // block the event loop
      }
      await waitFor(() => trouble.list().some((t) => t.key === EVENT_LOOP_LAG), 10_000, 'the lag condition');
      expect(monitor.read().maxMs).toBeGreaterThan(300);
      expect(await registry.metrics()).toMatch(/^gateway_event_loop_lag_seconds\{quantile="1"\} 0\.[3-9]/m);
      await waitFor(() => !trouble.list().some((t) => t.key === EVENT_LOOP_LAG), 10_000, 'the condition cleared');
    } finally {
      monitor.stop();
    }
  });
});
