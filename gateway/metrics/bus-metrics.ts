/** Sample bus queues: depth per lane, capacity, delivered, dropped and handler errors per subscriber. */
import type { Registry } from 'prom-client';
import type { SubscriberStats } from '../bus/sample-bus.ts';
import { scrapeCounter, scrapeGauge } from './scrape-metric.ts';

export function registerBusMetrics(registry: Registry, stats: () => readonly SubscriberStats[]): void {
  scrapeGauge(registry, 'gateway_bus_queue_depth', 'Samples waiting for a bus subscriber, per lane (priority: life-safety)', ['subscriber', 'lane'], () =>
    stats().flatMap((s) => [
      [{ subscriber: s.name, lane: 'telemetry' }, s.depth - s.priorityDepth] as const,
      [{ subscriber: s.name, lane: 'priority' }, s.priorityDepth] as const,
    ]),
  );
  scrapeGauge(registry, 'gateway_bus_queue_capacity', 'Telemetry queue bound of a subscriber; beyond it the oldest samples are dropped', ['subscriber'], () => stats().map((s) => [{ subscriber: s.name }, s.capacity] as const));
  scrapeCounter(registry, 'gateway_bus_delivered_total', 'Samples handed to a subscriber', ['subscriber'], () => stats().map((s) => [{ subscriber: s.name }, s.delivered] as const));
  scrapeCounter(registry, 'gateway_bus_dropped_total', 'Samples dropped by a full subscriber queue (never life-safety)', ['subscriber'], () => stats().map((s) => [{ subscriber: s.name }, s.dropped] as const));
  scrapeCounter(registry, 'gateway_bus_handler_errors_total', 'Batches a subscriber failed to handle', ['subscriber'], () => stats().map((s) => [{ subscriber: s.name }, s.handlerErrors] as const));
}
