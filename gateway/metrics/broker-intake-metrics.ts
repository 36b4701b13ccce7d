/** The embedded broker's read-ahead bound (gateway/broker/broker-ingest.ts): paused, clients not read, messages awaiting storage. */
import type { Registry } from 'prom-client';
import type { IntakeStats } from '../broker/broker-ingest.ts';
import { scrapeCounter, scrapeGauge } from './scrape-metric.ts';

export function registerBrokerIntakeMetrics(registry: Registry, stats: () => IntakeStats): void {
  scrapeGauge(registry, 'gateway_broker_intake_paused', '1 while the sample backlog is over bus.pauseIntakeAt and the busiest publishers are not read', [], () => [[{}, stats().paused ? 1 : 0]]);
  scrapeGauge(registry, 'gateway_broker_intake_paused_clients', 'MQTT connections of the embedded broker not read now (read-ahead bound)', [], () => [[{}, stats().pausedClients]]);
  scrapeGauge(registry, 'gateway_broker_unstored_messages', 'QoS 1 messages read from publishers and not yet stored (their PUBACK waits)', [], () => [[{}, stats().unstored]]);
  scrapeCounter(registry, 'gateway_broker_intake_pauses_total', 'Times the embedded broker began holding back its publishers (read-ahead bound)', [], () => [[{}, stats().pauses]]);
  scrapeCounter(registry, 'gateway_broker_intake_paused_seconds_total', 'Seconds the read-ahead bound held publishers back', [], () => [[{}, stats().pausedMs / 1000]]);
}
