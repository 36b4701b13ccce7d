import { describe, expect, it } from 'vitest';
import { ThroughputMeter } from '../../../gateway/connectors/throughput-meter.ts';
import { VirtualClock } from '../../../gateway/model/clock.ts';

describe('ThroughputMeter', () => {
  it('reports samples/s and requests/s over the last window on the injected clock', () => {
    const clock = new VirtualClock();
    const counters = { samples: 0, requests: 0 };
    const meter = new ThroughputMeter(clock, () => counters, 10_000);
    meter.start();
    expect(meter.rates()).toEqual({ samplesPerSecond: 0, requestsPerSecond: 0 });
    for (let s = 0; s < 30; s++) {
      counters.samples += s < 20 ? 100 : 500;
      counters.requests += 10;
      clock.advance(1_000);
    }
    // The last 10 s saw 500 samples/s; the older 100/s seconds have left the window.
    expect(meter.rates()).toEqual({ samplesPerSecond: 500, requestsPerSecond: 10 });
    meter.stop();
    expect(clock.pending()).toBe(0);
  });
});
