/** Metrics read at scrape time: gauges and counters from owned state, histograms from counted buckets. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LatencyBuckets } from '../../../gateway/metrics/latency-buckets.ts';
import { scrapeCounter, scrapeGauge, scrapeHistogram } from '../../../gateway/metrics/scrape-metric.ts';
import { metricNamesOf } from '../../support/prometheus-rules.ts';

describe('scrape-time metrics', () => {
  it('a gauge shows only the label sets read at this scrape; a counter mirrors a kept total', async () => {
    const registry = new Registry();
    let sets: Array<readonly [Record<string, string>, number]> = [[{ connector: 'a' }, 1], [{ connector: 'b' }, 0]];
    let total = 5;
    scrapeGauge(registry, 'x_up', 'up', ['connector'], () => sets);
    scrapeCounter(registry, 'x_requests_total', 'requests', [], () => [[{}, total]]);
    let page = await registry.metrics();
    expect(page).toContain('x_up{connector="a"} 1');
    expect(page).toContain('x_up{connector="b"} 0');
    expect(page).toContain('x_requests_total 5');
    sets = [[{ connector: 'a' }, 0]];
    total = 9;
    page = await registry.metrics();
    expect(page).toContain('x_up{connector="a"} 0');
    expect(page).not.toContain('connector="b"');
    expect(page).toContain('x_requests_total 9');
  });

  it('a histogram of counted buckets is exposed in Prometheus form (cumulative, +Inf, sum, count)', async () => {
    const latency = new LatencyBuckets();
    for (const s of [0.0005, 0.003, 0.003, 0.2, 30]) latency.observe(s);
    const snap = latency.snapshot();
    expect(snap.count).toBe(5);
    expect(snap.sumSeconds).toBeCloseTo(30.2065, 6);
    const registry = new Registry();
    scrapeHistogram(registry, 'x_duration_seconds', 'duration', () => [{ labels: { connector: 'a' }, buckets: snap.buckets, cumulative: snap.cumulative, count: snap.count, sum: snap.sumSeconds }]);
    const page = await registry.metrics();
    expect(page).toContain('# TYPE x_duration_seconds histogram');
    expect(page).toContain('x_duration_seconds_bucket{connector="a",le="0.001"} 1');
    expect(page).toContain('x_duration_seconds_bucket{connector="a",le="0.0025"} 1');
    expect(page).toContain('x_duration_seconds_bucket{connector="a",le="0.005"} 3');
    expect(page).toContain('x_duration_seconds_bucket{connector="a",le="0.25"} 4');
    expect(page).toContain('x_duration_seconds_bucket{connector="a",le="10"} 4');
    expect(page).toContain('x_duration_seconds_bucket{connector="a",le="+Inf"} 5');
    expect(page).toContain('x_duration_seconds_count{connector="a"} 5');
    expect(page).toMatch(/^x_duration_seconds_sum\{connector="a"\} 30\.20/m);
  });

  it('the metric names of an alert expression leave out functions, keywords, labels and durations', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (connector, le) (rate(gateway_connector_request_duration_seconds_bucket[5m]))) > 1')).toEqual([
      'gateway_connector_request_duration_seconds_bucket',
    ]);
    expect(metricNamesOf('gateway_bus_queue_depth{lane="telemetry"} / on (subscriber) gateway_bus_queue_capacity > 0.8').sort()).toEqual(['gateway_bus_queue_capacity', 'gateway_bus_queue_depth']);
    expect(metricNamesOf('absent_over_time(process_start_time_seconds{job="facility-gateway"}[2m])')).toEqual(['process_start_time_seconds']);
  });
});
