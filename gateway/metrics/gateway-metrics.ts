/**
 * Every part's series on the gateway's Prometheus registry, in every mode (with or without
 * InfluxDB): connectors, bus queues, alarms, work orders, uptime and local storage. Each reads the
 * part's own state when Prometheus scrapes; nothing is added to the sample path.
 * (Event-loop lag: trouble/event-loop-lag.ts; the InfluxDB spool: storage/telemetry-metrics.ts.)
 */
import type { Registry } from 'prom-client';
import type { SubscriberStats } from '../bus/sample-bus.ts';
import type { Connector } from '../connectors/connector.ts';
import type { Clock } from '../model/clock.ts';
import type { TroubleCondition } from '../trouble/trouble-board.ts';
import { scrapeGauge } from './scrape-metric.ts';
import { registerAlarmMetrics, type AlarmMetricSource } from './alarm-metrics.ts';
import { registerBusMetrics } from './bus-metrics.ts';
import { registerBrokerIntakeMetrics } from './broker-intake-metrics.ts';
import type { IntakeStats } from '../broker/broker-ingest.ts';
import { registerConnectorMetrics } from './connector-metrics.ts';
import { registerStorageMetrics, type StorageMetricSource } from './storage-metrics.ts';
import { registerUptimeMetrics } from './uptime-metrics.ts';
import { registerWorkOrderMetrics, type WorkOrderMetricSource } from './work-order-metrics.ts';
import type { UptimeFacade } from '../../rules/uptime/index.ts';

export interface GatewayMetricSources {
  readonly clock: Clock;
  readonly connectors: () => readonly Connector[];
  readonly bus: { stats(): readonly SubscriberStats[] };
  /** The embedded broker's read-ahead bound (absent without the embedded broker). */
  readonly brokerIntake?: { stats(): IntakeStats } | undefined;
  readonly alarms: AlarmMetricSource;
  readonly workOrders: WorkOrderMetricSource | undefined;
  readonly uptime: Pick<UptimeFacade, 'report' | 'resolveRange' | 'fleet'> | undefined;
  readonly storage: StorageMetricSource;
  readonly trouble: { list(): readonly TroubleCondition[] };
  /** The SQLite files of the data directory. */
  readonly sqliteFiles: () => readonly string[];
}

/** Registers the series; the returned function detaches the alarm event counter. */
export function registerGatewayMetrics(registry: Registry, s: GatewayMetricSources): () => void {
  registerConnectorMetrics(registry, s.connectors);
  registerBusMetrics(registry, () => s.bus.stats());
  const intake = s.brokerIntake;
  if (intake) registerBrokerIntakeMetrics(registry, () => intake.stats());
  const detach = registerAlarmMetrics(registry, s.alarms, s.clock);
  if (s.workOrders) registerWorkOrderMetrics(registry, s.workOrders, s.clock);
  if (s.uptime) registerUptimeMetrics(registry, s.uptime, s.clock);
  registerStorageMetrics(registry, s.storage, s.sqliteFiles);
  scrapeGauge(registry, 'gateway_trouble_conditions', 'Trouble conditions raised now (see /api/health), by source and life-safety', ['source', 'life_safety'], () => {
    const by = new Map<string, number>();
    for (const t of s.trouble.list()) by.set(`${t.source}\u0000${t.lifeSafety}`, (by.get(`${t.source}\u0000${t.lifeSafety}`) ?? 0) + 1);
    return [...by].map(([k, n]) => {
      const [source = '', lifeSafety = ''] = k.split('\u0000');
      return [{ source, life_safety: lifeSafety }, n] as const;
    });
  });
  return detach;
}
