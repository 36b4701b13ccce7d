/**
 * The composition root: from a validated config to a running gateway (store, bus, live view,
 * embedded broker, connectors, HTTP API). Everything is passed in; nothing reaches for globals.
 */
import type { DemoFaults } from './demo/demo-faults.ts';
import { resolve } from 'node:path';
import { pointDefOf } from './config/kind-schema.ts';
import { CommandJournal } from './commands/command-journal.ts';
import { CommandService } from './commands/command-service.ts';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Accounts } from './auth/accounts.ts';
import type { RunningBroker } from './broker/embedded-broker.ts';
import type { SampleBus } from './bus/sample-bus.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { Connector } from './connectors/connector.ts';
import type { EventHub } from './live/event-hub.ts';
import type { LiveView } from './live/live-view.ts';
import { RealClock, type Clock } from './model/clock.ts';
import type { DeviceInfo } from './model/device.ts';
import { zoneCount, zonePlaces } from './model/zone-places.ts';
import type { TelemetryStorage } from './storage/telemetry-storage.ts';
import type { InfluxTelemetryStatus } from './storage/influx-telemetry.ts';
import type { TroubleBoard } from './trouble/trouble-board.ts';
import { StartupError, Teardown } from './teardown.ts';
import type { Sample } from './model/sample.ts';
import { startConnectors } from './connectors-start.ts';
import { wireConditionAcks } from './condition-ack-wiring.ts';
import { migrateAtStart } from './migrations/migrate-at-start.ts';
import type { ReloadActor, ReloadResult } from './reload/config-reload.ts';
import { standbyWiring } from './standby/standby-wiring.ts';
import { wireMetricsAndReload } from './reload-wiring.ts';
import { healthReporter } from './health-report.ts';
import { apiDeps, checkPorts, eventHubOf, followDeviceModes, openCore, startApi, startBroker, startRulesStep, startTelemetry } from './compose-steps.ts';
import type { AlarmService, NormsService, UptimeService, WorkOrderService } from '../rules/index.ts';
import { attachNorms } from './norms-wiring.ts';
import { startSparkplugStep } from './sparkplug/start-edge-node.ts';
import type { SparkplugEdgeNode } from './sparkplug/sparkplug-edge-node.ts';

export interface GatewayOptions {
  readonly clock?: Clock;
  /** Demo mode: the simulators' fault switch, served at /api/demo/faults (attached once they run). */
  readonly demoFaults?: DemoFaults;
  /** Listen for HTTP (default true). Tests may use `gateway.app.inject()` instead. */
  readonly listen?: boolean;
  /**
   * Sample bus delivery (default `async`). `sync` runs every consumer inside `bus.push`, so a
   * scenario replayed on a VirtualClock is seen by storage, rules, work orders and uptime at the
   * virtual time it is made (deterministic month runs).
   */
  readonly busDelivery?: 'async' | 'sync';
  /**
   * Where telemetry.db and spool.db are written: `worker` (a storage worker thread, the default on
   * the real clock) or `inline` (this thread; the default on a virtual clock or with sync delivery).
   */
  readonly storage?: 'worker' | 'inline';
  /**
   * Load and validate the site file again, as `gateway run` did at start (with its command-line
   * overrides): enables SIGHUP / POST /api/admin/reload (gateway/reload/).
   */
  readonly reloadConfig?: () => Promise<SiteConfig>;
  /** Warm standby: this gateway lost the lease after having acted (`gateway run` exits; its supervisor restarts it as the standby). */
  readonly onStepDown?: () => void;
}

export interface RunningGateway {
  readonly config: SiteConfig;
  readonly clock: Clock;
  readonly bus: SampleBus;
  readonly store: TelemetryStorage;
  readonly live: LiveView<Sample>;
  readonly trouble: TroubleBoard;
  readonly connectors: readonly Connector[];
  readonly broker: RunningBroker | undefined;
  readonly app: FastifyInstance;
  /** `http://host:port` when listening. */
  readonly apiUrl: string | undefined;
  readonly devices: readonly DeviceInfo[];
  /** The InfluxDB store-and-forward path, when `storage.influx` is configured. */
  readonly telemetry: { status(): InfluxTelemetryStatus } | undefined;
  /** Prometheus registry served at GET /metrics. */
  readonly metrics: Registry;
  readonly accounts: Accounts;
  readonly events: EventHub;
  /** Rule engine and alarms (state in data/gateway.db). */
  readonly alarms: AlarmService;
  /** Work orders, when `workOrders.enabled`; the alarm engine feeds it through `onAlarm`. */
  readonly workOrders: WorkOrderService | undefined;
  /** Equipment uptime ledger and reports (undefined when `uptime.enabled` is false). */
  readonly uptime: UptimeService | undefined;
  /** Reload the site file (when `reloadConfig` was given; otherwise refused). */
  reload(by: ReloadActor): Promise<ReloadResult>;
  /** Warm standby: whether this gateway acts now (always true without `standby`). */
  acting(): boolean;
  /** Service norms: resident requests, inspection rounds, the monthly norms report (rules/norms). */
  readonly norms: NormsService | undefined;
  /** The Sparkplug B edge node, when `northbound.sparkplug` is configured. */
  readonly sparkplug: SparkplugEdgeNode | undefined;
  stop(): Promise<void>;
}

export function deviceInfos(config: SiteConfig): DeviceInfo[] {
  return config.devices.map((d) => ({
    id: d.id,
    name: d.name ?? d.id,
    kind: d.kind,
    location: { site: config.site.id, building: d.building, floor: d.floor },
    connector: d.binding.connector,
    ...(d.zones !== undefined ? { zones: zoneCount(d.zones) as number, zonePlaces: zonePlaces(d.zones, d) } : {}),
    ...(d.points && d.points.length > 0 ? { extraPoints: d.points.map(pointDefOf) } : {}),
  }));
}

/**
 * Start everything, or nothing: when any part fails to start (a port in use, a database that cannot
 * be opened, ...) what already started is stopped again and a StartupError says what failed.
 */
export async function startGateway(config: SiteConfig, log: Logger, options: GatewayOptions = {}): Promise<RunningGateway> {
  const teardown = new Teardown(log);
  try {
    return await composeGateway(config, log, options, teardown);
  } catch (err) {
    await teardown.run();
    throw err instanceof StartupError ? err : new StartupError('gateway start-up failed', err);
  }
}

async function composeGateway(config: SiteConfig, log: Logger, options: GatewayOptions, teardown: Teardown): Promise<RunningGateway> {
  // Ports first: a taken port fails the start before any device is read or any work order sent.
  await checkPorts(config, options);
  const clock = options.clock ?? new RealClock();
  const started = clock.monotonic();
  const dataDir = resolve(config.storage.dataDir);
  const devices = deviceInfos(config);
  const byId = new Map(devices.map((d) => [d.id, d]));
  // schema versions first: a newer release's files are refused, older ones migrated (copy taken first)
  const stampNewFiles = await migrateAtStart(config, dataDir, log);
  const core = openCore(config, log, clock, dataDir, teardown);
  const { metrics, accounts, trouble, loopLag } = core;
  const tele = await startTelemetry({ config, log, options, clock, dataDir, devices, byId, core, teardown });
  const { store, bus, live, modes, privacy, telemetry } = tele;
  const broker = await startBroker(config, log, teardown);
  // no PUBACK before the MQTT connectors ingest from the broker (released once they started)
  broker?.ingest.hold();
  // the read-ahead bound: publishers wait (unacknowledged) while the bus is far behind (gateway/broker/README.md)
  if (broker) {
    const intake = broker.ingest;
    intake.bound({ backlog: () => bus.backlog(), pauseAt: config.bus.pauseIntakeAt });
    bus.onBatchHandled(() => intake.recheck());
  }
  // warm standby (gateway/standby/): only the lease holder acts outward
  const standby = standbyWiring(config, { clock, log, trouble, metrics, teardown, onStepDown: options.onStepDown });
  const rules = startRulesStep({ config, log, clock, dataDir, devices, trouble, tele, broker, teardown, standby });
  const { alarms, uptime, workOrders } = rules;
  followDeviceModes(alarms, modes, live, accounts.audit);
  for (const d of devices) live.refresh(d.id);

  teardown.add('sample bus', () => bus.drain());
  const connectorDeps = { clock, log, trouble, dataDir, byId, broker, conditions: alarms.conditions };
  const connectors = await startConnectors(config, { ...connectorDeps, teardown, ingest: privacy.ingest(bus) });
  broker?.ingest.release();
  stampNewFiles(); // files made during this start get the newest schema version
  // every part's series on /metrics; SIGHUP / POST /api/admin/reload (gateway/reload-wiring.ts)
  const reloader = wireMetricsAndReload({ config, log, options, clock, dataDir, devices, core, tele, rules, connectors, connectorDeps, broker, teardown });
  const acting = (): boolean => standby?.acting() ?? true;
  // an operator's acknowledge of a condition a device raised itself goes back to the device
  teardown.add('condition acknowledges', wireConditionAcks({ alarms, connector: (id) => connectors.find((c) => c.id === id), log: log.child({ component: 'condition-acks' }), acting }));

  const health = healthReporter({ config, clock, started, devices, connectors, bus, trouble, telemetry, live, loopLag, store, alarms, broker });
  const events = eventHubOf(trouble, rules, live);
  // the site as a Sparkplug B edge node of an operations centre (gateway/sparkplug/README.md)
  const sparkplug = startSparkplugStep({ config, dataDir, clock, log, devices, bus, live, broker, alarms, workOrders, uptime, teardown });
  // commands to devices: journaled in gateway.db before the write, confirmed by read-back
  const commands = new CommandService({
    devices,
    // looked up at each command: a config reload replaces restarted connectors in place
    connector: (id) => connectors.find((c) => c.id === id),
    settings: config.commands,
    journal: new CommandJournal(core.stateDb, clock),
    log: log.child({ component: 'commands' }),
    onEntry: (entry) => events.publish('command', entry),
  });
  const deps = {
    ...apiDeps({ config, log, options, clock, devices, core, tele, rules, health, events }),
    commands,
    ...(reloader.available ? { reload: reloader.reload } : {}),
    ...(standby ? { acting } : {}),
  };
  let norms: NormsService | undefined;
  const mountNorms = async (app: FastifyInstance): Promise<void> => {
    norms = await attachNorms(app, { config, dataDir, devices, clock, log: log.child({ component: 'norms' }), workOrders, uptime, alarms, accounts, teardown });
  };
  const { app, apiUrl } = await startApi(deps, config, log, options, teardown, mountNorms);
  standby?.start(() => rules.takeover());
  const reload = reloader.reload;
  return { config, clock, bus, store, live, trouble, connectors, broker, app, apiUrl, devices, telemetry, metrics, accounts, events, alarms, workOrders, uptime, reload, acting, norms, sparkplug, stop: () => teardown.run() };
}
