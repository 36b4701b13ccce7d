/** Per-connector series, read from each connector's health and latency buckets at scrape time. */
import type { Registry } from 'prom-client';
import type { Connector } from '../connectors/connector.ts';
import { scrapeCounter, scrapeGauge, scrapeHistogram, type Labelled } from './scrape-metric.ts';

export function registerConnectorMetrics(registry: Registry, connectors: () => readonly Connector[]): void {
  const each = (read: (h: ReturnType<Connector['health']>) => number): Labelled =>
    connectors().map((c) => {
      const h = c.health();
      return [{ connector: h.id, type: h.type }, read(h)] as const;
    });
  const ids = ['connector', 'type'];
  scrapeGauge(registry, 'gateway_connector_up', '1 while the connector is connected to its devices or broker', ids, () => each((h) => (h.connected ? 1 : 0)));
  scrapeGauge(registry, 'gateway_connector_consecutive_failures', 'Failed exchanges in a row (0 after a success)', ids, () => each((h) => h.consecutiveFailures));
  scrapeGauge(registry, 'gateway_connector_last_success_timestamp_seconds', 'When the last exchange succeeded (0: never)', ids, () => each((h) => (h.lastSuccess ?? 0) / 1000));
  scrapeCounter(registry, 'gateway_connector_samples_total', 'Samples the connector produced', ids, () => each((h) => h.samples));
  scrapeCounter(registry, 'gateway_connector_requests_total', 'Polls, requests or messages handled by the connector', ids, () => each((h) => h.requests));
  scrapeCounter(registry, 'gateway_connector_errors_total', 'Connector errors by kind (timeout, bad_payload, connection_lost, ...)', [...ids, 'kind'], () =>
    connectors().flatMap((c) => {
      const h = c.health();
      return Object.entries(h.errors).map(([kind, n]) => [{ connector: h.id, type: h.type, kind }, n] as const);
    }),
  );
  scrapeHistogram(registry, 'gateway_connector_request_duration_seconds', 'Round trip of connector requests (Modbus reads, OPC UA connects)', () =>
    connectors().flatMap((c) => {
      const l = c.requestLatency?.();
      if (!l) return [];
      return [{ labels: { connector: c.id, type: c.health().type }, buckets: l.buckets, cumulative: l.cumulative, count: l.count, sum: l.sumSeconds }];
    }),
  );
}
