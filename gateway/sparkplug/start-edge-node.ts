/** Wiring of the Sparkplug edge node into the gateway (called by the composition root). */
import type { Logger } from 'pino';
import type { RunningBroker } from '../broker/embedded-broker.ts';
import type { SampleBus } from '../bus/sample-bus.ts';
import type { Sample } from '../model/sample.ts';
import type { LiveView } from '../live/live-view.ts';
import type { Clock } from '../model/clock.ts';
import type { DeviceInfo } from '../model/device.ts';
import { pointsOf } from '../model/kinds/index.ts';
import { tlsClientOptions } from '../platform/tls-client.ts';
import type { AlarmService, UptimeService, WorkOrderService } from '../../rules/index.ts';
import { SparkplugEdgeNode } from './sparkplug-edge-node.ts';
import type { SparkplugConfig } from './sparkplug-schema.ts';

export interface EdgeNodeWiring {
  readonly config: SparkplugConfig;
  readonly siteId: string;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly devices: readonly DeviceInfo[];
  readonly bus: SampleBus;
  readonly live: LiveView<Sample>;
  readonly broker: RunningBroker | undefined;
  readonly alarms: AlarmService;
  readonly workOrders: WorkOrderService | undefined;
  readonly uptime: UptimeService | undefined;
}

/** Start the edge node; undefined (with an error logged) when `url: embedded` and no broker runs. */
export function startEdgeNode(w: EdgeNodeWiring): SparkplugEdgeNode | undefined {
  const embedded = w.config.url === 'embedded';
  if (embedded && !w.broker) {
    w.log.error('northbound.sparkplug.url is "embedded" but broker.enabled is false; the edge node does not start');
    return undefined;
  }
  const orders = w.workOrders;
  const node = new SparkplugEdgeNode({
    config: w.config,
    siteId: w.siteId,
    urls: embedded ? [(w.broker as RunningBroker).internalUrl] : [w.config.url, ...w.config.failover],
    connectOptions: embedded ? (w.broker as RunningBroker).connectOptions('sparkplug') : (tlsClientOptions(w.config.tls, 'northbound.sparkplug') ?? {}),
    dataDir: w.dataDir,
    clock: w.clock,
    log: w.log,
    devices: w.devices.map((info) => ({ info, points: pointsOf(info.kind, info.zones === undefined ? {} : { zones: info.zones }) })),
    latest: (id) => w.live.state(id)?.points ?? {},
    alarms: w.alarms,
    ...(w.uptime
      ? {
          availability: () => {
            const f = (w.uptime as UptimeService).facade;
            const site = f.report(f.resolveRange({ period: 'month' })).siteFigures;
            return { pct: site.availabilityPct, targetPct: site.targetPct };
          },
        }
      : {}),
    ...(orders
      ? {
          workOrders: {
            list: (f) => orders.list(f.status ? { status: f.status } : {}),
            order: (id) => {
              try {
                return orders.get(id);
              } catch {
                return undefined;
              }
            },
            onChange: (l) => orders.onChange(l),
          },
        }
      : {}),
  });
  // durable: an MQTT PUBACK to a device waits until its reading is in the northbound outbox too
  w.bus.subscribe('sparkplug', (batch) => node.onSamples(batch), { durable: true });
  node.start();
  return node;
}

/** The composition root's step: the edge node when `northbound.sparkplug` is configured, stopped by the teardown. */
export function startSparkplugStep(
  w: Omit<EdgeNodeWiring, 'config' | 'siteId' | 'log'> & {
    readonly config: { readonly site: { readonly id: string }; readonly northbound: { readonly sparkplug?: SparkplugConfig | undefined } };
    readonly log: Logger;
    readonly teardown: { add(name: string, stop: () => Promise<void> | void): void };
  },
): SparkplugEdgeNode | undefined {
  const sparkplug = w.config.northbound.sparkplug;
  if (!sparkplug) return undefined;
  const node = startEdgeNode({ ...w, config: sparkplug, siteId: w.config.site.id, log: w.log.child({ component: 'sparkplug' }) });
  if (node) w.teardown.add('sparkplug edge node', () => node.stop());
  return node;
}
