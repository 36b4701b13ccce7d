/**
 * Small builders for metrics whose value is owned elsewhere and read when Prometheus scrapes
 * (prom-client `collect`), so the hot path pays nothing per sample.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';

export type Labelled = ReadonlyArray<readonly [Readonly<Record<string, string | number>>, number]>;

/** A gauge set from `read()` at each scrape; label sets not returned are dropped (reset first). */
export function scrapeGauge(registry: Registry, name: string, help: string, labelNames: readonly string[], read: () => Labelled): void {
  const g: Gauge<string> = new Gauge({
    name,
    help,
    labelNames: [...labelNames],
    registers: [registry],
    collect() {
      g.reset();
      for (const [labels, value] of read()) g.set({ ...labels }, value);
    },
  });
}

/** A counter whose monotonic total is kept elsewhere (read at scrape time). */
export function scrapeCounter(registry: Registry, name: string, help: string, labelNames: readonly string[], read: () => Labelled): void {
  const c: Counter<string> = new Counter({
    name,
    help,
    labelNames: [...labelNames],
    registers: [registry],
    collect() {
      c.reset();
      for (const [labels, value] of read()) c.inc({ ...labels }, value);
    },
  });
}

export interface HistogramSnapshot {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: readonly number[];
  readonly cumulative: readonly number[];
  readonly count: number;
  readonly sum: number;
}

interface ScrapedValue {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/**
 * A histogram whose buckets are counted elsewhere (e.g. by a connector, without prom-client on its
 * path) and exposed as is at scrape time. prom-client has no way to set a histogram's buckets, so
 * this is a metric object of its own that the registry formats like its own histograms.
 */
export function scrapeHistogram(registry: Registry, name: string, help: string, read: () => readonly HistogramSnapshot[]): void {
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ScrapedValue[] }> {
      const values: ScrapedValue[] = [];
      for (const h of read()) {
        h.buckets.forEach((le, i) => values.push({ metricName: `${name}_bucket`, labels: { ...h.labels, le }, value: h.cumulative[i] ?? 0 }));
        values.push({ metricName: `${name}_bucket`, labels: { ...h.labels, le: '+Inf' }, value: h.count });
        values.push({ metricName: `${name}_sum`, labels: { ...h.labels }, value: h.sum });
        values.push({ metricName: `${name}_count`, labels: { ...h.labels }, value: h.count });
      }
      return Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values });
    },
  };
  registry.registerMetric(metric as unknown as Metric);
}
