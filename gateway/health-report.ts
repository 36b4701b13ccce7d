/** GET /api/health: the gateway's parts in one report; degraded when any part is not well. */
import type { AlarmService } from '../rules/index.ts';
import type { HealthReport } from './api/api-deps.ts';
import type { RunningBroker } from './broker/embedded-broker.ts';
import type { SampleBus } from './bus/sample-bus.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { Connector } from './connectors/connector.ts';
import type { LiveView } from './live/live-view.ts';
import type { Clock } from './model/clock.ts';
import type { DeviceInfo } from './model/device.ts';
import type { Sample } from './model/sample.ts';
import type { InfluxTelemetryStatus } from './storage/influx-telemetry.ts';
import type { TelemetryStorage } from './storage/telemetry-storage.ts';
import type { EventLoopLagMonitor } from './trouble/event-loop-lag.ts';
import type { TroubleBoard } from './trouble/trouble-board.ts';

export interface HealthParts {
  readonly config: SiteConfig;
  readonly clock: Clock;
  /** Monotonic time of the start. */
  readonly started: number;
  readonly devices: readonly DeviceInfo[];
  readonly connectors: readonly Connector[];
  readonly bus: SampleBus;
  readonly trouble: TroubleBoard;
  readonly telemetry: { status(): InfluxTelemetryStatus } | undefined;
  readonly live: LiveView<Sample>;
  readonly loopLag: EventLoopLagMonitor;
  readonly store: TelemetryStorage;
  readonly alarms: AlarmService;
  readonly broker: RunningBroker | undefined;
}

export function healthReporter(parts: HealthParts): () => HealthReport {
  const { config, clock, started, devices, connectors, bus, trouble, telemetry, live, loopLag, store, alarms, broker } = parts;
  return (): HealthReport => {
    const mem = process.memoryUsage();
    const connectorHealth = connectors.map((c) => c.health());
    const queues = bus.stats();
    const troubles = trouble.list();
    const influx = telemetry?.status();
    const commsLost = live.commsLost();
    const degraded =
      connectorHealth.some((h) => !h.connected) ||
      commsLost.length > 0 ||
      troubles.length > 0 ||
      queues.some((q) => q.dropped > 0) ||
      (influx !== undefined && influx.state !== 'ok');
    return {
      status: degraded ? 'degraded' : 'ok',
      uptimeS: Math.round((clock.monotonic() - started) / 1000),
      process: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, node: process.version, eventLoopLagMs: loopLag.read() },
      connectors: connectorHealth.map((h) => ({ ...h })),
      devices: { total: devices.length, commsLost },
      storage: { kind: 'sqlite', file: store.file, writer: store.stats(), retentionMs: config.storage.retention, alarms: { file: alarms.store.file, ...alarms.stats() }, influx: influx ?? null },
      queues: queues.map((q) => ({ ...q })),
      broker: broker ? { url: broker.url, ...(broker.tlsUrl ? { tlsUrl: broker.tlsUrl } : {}), clients: broker.clients(), refusals: broker.refusals(), intake: broker.ingest.stats() } : null,
      trouble: troubles.map((t) => ({ ...t })),
    };
  };
}
