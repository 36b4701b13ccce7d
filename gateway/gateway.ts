/**
 * The composition root: from a validated config to a running gateway (store, bus, live view,
 * embedded broker, connectors, HTTP API). Everything is passed in; nothing reaches for globals.
 */
import type { DemoFaults } from './demo/demo-faults.ts';
import { buildingViews } from './config/floor-plans.ts';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buildApp } from './api/build-app.ts';
import { Accounts } from './auth/accounts.ts';
import type { ApiDeps } from './api/api-deps.ts';
import { startEmbeddedBroker, type RunningBroker } from './broker/embedded-broker.ts';
import { SampleBus } from './bus/sample-bus.ts';
import type { SiteConfig } from './config/site-schema.ts';
import type { Connector } from './connectors/connector.ts';
import { EventHub } from './live/event-hub.ts';
import { LiveView } from './live/live-view.ts';
import { raiseCommsTrouble } from './live/comms-trouble.ts';
import { RealClock, type Clock, type Timer } from './model/clock.ts';
import { BUILTIN_KINDS, kindDescriptor, pointsOf } from './model/kinds/index.ts';
import type { DeviceInfo } from './model/device.ts';
import { zoneCount, zonePlaces } from './model/zone-places.ts';
import { InlineTelemetryStorage, WorkerTelemetryStorage, type TelemetryStorage } from './storage/telemetry-storage.ts';
import type { InfluxTelemetryStatus } from './storage/influx-telemetry.ts';
import { LifeSafetyPoints } from './bus/life-safety-points.ts';
import { EventLoopLagMonitor } from './trouble/event-loop-lag.ts';
import { openSqlite } from './platform/sqlite-file.ts';
import { TroubleBoard } from './trouble/trouble-board.ts';
import { logLevelControl } from './log/log-level.ts';
import { StartupError, Teardown } from './teardown.ts';
import { assertCanListen } from './net/port-check.ts';
import { BadgePrivacy, loadBadgeKey } from './privacy/badge-privacy.ts';
import type { Sample } from './model/sample.ts';
import { escalationChannels, northboundPort } from './rules-ports.ts';
import { makeConnector, startConnector, startConnectors } from './connectors-start.ts';
import { registerGatewayMetrics } from './metrics/gateway-metrics.ts';
import { sqliteFilesOf } from './metrics/sqlite-files.ts';
import { migrateAtStart } from './migrations/migrate-at-start.ts';
import { reloadFunction, type ReloadActor, type ReloadResult } from './reload/config-reload.ts';
import { standbyWiring } from './standby/standby-wiring.ts';
import { healthReporter } from './health-report.ts';
import { startRules, type AlarmService, type AlarmsFacade, type UptimeService, type WorkOrderService } from '../rules/index.ts';
import { attachNorms } from './norms-wiring.ts';
import type { NormsService } from '../rules/index.ts';
import { startEdgeNode } from './sparkplug/start-edge-node.ts';
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
  if (options.listen !== false && config.api.port !== 0) {
    await assertCanListen(config.api.host, config.api.port).catch((err: unknown) => {
      throw new StartupError(`API cannot listen on ${config.api.host}:${config.api.port}`, err);
    });
  }
  if (config.broker.enabled && config.broker.port !== 0) {
    await assertCanListen(config.broker.host, config.broker.port).catch((err: unknown) => {
      throw new StartupError(`embedded MQTT broker cannot listen on ${config.broker.host}:${config.broker.port}`, err);
    });
  }
  const clock = options.clock ?? new RealClock();
  const started = clock.monotonic();
  const dataDir = resolve(config.storage.dataDir);
  const devices = deviceInfos(config);
  const byId = new Map(devices.map((d) => [d.id, d]));
  const timers: Timer[] = [];

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const storageMode = options.storage ?? (options.busDelivery === 'sync' || !(clock instanceof RealClock) ? 'inline' : 'worker');
  // schema versions first: a newer release's files are refused, older ones migrated (copy taken first)
  const stampNewFiles = await migrateAtStart(config, dataDir, log);
  const stateDb = openSqlite(join(dataDir, 'gateway.db'));
  teardown.add('gateway.db', () => stateDb.close());
  const accounts = new Accounts(stateDb, clock, config.accounts);
  if (accounts.open) log.warn({ api: config.api.host }, 'no accounts configured: the API is open to anyone who can reach it (loopback only)');
  const trouble = new TroubleBoard(clock);
  trouble.onChange((event, c) => log[event === 'raised' ? 'warn' : 'info']({ trouble: c.key, source: c.source }, `gateway trouble ${event}: ${c.message}`));
  const loopLag = new EventLoopLagMonitor({ trouble, registry: metrics });

  // telemetry.db and spool.db: a storage worker thread with group commits (gateway/storage/README.md)
  const storageSpec = { dataDir, devices, buildingNames: config.buildings.map((b) => [b.id, b.name] as const), ...(config.storage.influx ? { influx: config.storage.influx } : {}) };
  const storageDeps = { clock, log: log.child({ component: 'telemetry' }), trouble, registry: metrics };
  const store: TelemetryStorage = storageMode === 'worker' ? await WorkerTelemetryStorage.start(storageSpec, storageDeps) : new InlineTelemetryStorage(storageSpec, storageDeps);
  teardown.add('telemetry storage', () => store.close());
  teardown.add('event-loop lag monitor', () => loopLag.stop());
  const lifeSafety = new LifeSafetyPoints(devices);

  // Badge ids are pseudonymised where samples enter, unless privacy.badges is clear (gateway/privacy/).
  const privacy = new BadgePrivacy(
    loadBadgeKey(dataDir),
    config.privacy,
    devices.filter((d) => d.kind === 'access_door').map((d) => d.id),
  );
  const bus = new SampleBus({
    capacity: config.bus.queueCapacity,
    delivery: options.busDelivery ?? 'async',
    isPriority: (s) => lifeSafety.has(s),
    log: log.child({ component: 'bus' }),
  });
  // Operator-set device modes (maintenance, out of service), mirrored from the alarm service below.
  const modes = new Map<string, string>();
  const live = new LiveView<Sample>(devices, { modeOf: (id) => modes.get(id) });
  live.onCondition(raiseCommsTrouble(byId, trouble));
  live.seed(await store.latest());
  // one durable consumer stores each batch in telemetry.db and (with storage.influx) spool.db
  bus.subscribe('storage', (batch) => store.write(batch), { durable: true });
  const telemetry = config.storage.influx ? { status: (): InfluxTelemetryStatus => store.influxStatus() as InfluxTelemetryStatus } : undefined;
  bus.subscribe('live', (batch) => live.apply(batch));

  const pruneLog = log.child({ component: 'storage' });
  timers.push(
    clock.setInterval(config.storage.pruneEvery, () => {
      store.prune(clock.now() - config.storage.retention).then(
        (removed) => {
          if (removed > 0) pruneLog.info({ removed }, 'pruned samples past retention');
        },
        (err: unknown) => pruneLog.error({ err }, 'pruning samples failed'),
      );
    }),
  );
  teardown.add('timers', () => timers.forEach((t) => t.cancel()));

  let broker: RunningBroker | undefined;
  if (config.broker.enabled) {
    const b = await startEmbeddedBroker(config.broker, log.child({ component: 'broker' })).catch((err: unknown) => {
      throw new StartupError(`embedded MQTT broker cannot listen on ${config.broker.host}:${config.broker.port}`, err);
    });
    broker = b;
    teardown.add('embedded broker', () => b.close());
  }
  // no PUBACK before the MQTT connectors ingest from the broker (released once they started)
  broker?.ingest.hold();

  const northbound = northboundPort(config, broker, log, teardown);
  // warm standby (gateway/standby/): only the lease holder acts outward
  const standby = standbyWiring(config, { clock, log, trouble, metrics, teardown, onStepDown: options.onStepDown });
  /** Every point's current value in the live view: what rules start from (at start and after a rule reload). */
  const liveSeed = (): Sample[] =>
    devices.flatMap((d) => Object.entries(live.state(d.id)?.points ?? {}).map(([point, p]) => ({ device: d.id, point, value: p.value, ts: p.ts, quality: p.quality, ...(p.reason === undefined ? {} : { reason: p.reason }) })));
  // rules/: alarms (open ones come back from gateway.db; rules resume from the live values), uptime,
  // work orders, escalation and the northbound link, wired behind the one front door (rules/README.md)
  const rules = startRules({
    settings: { rules: config.rules, rulePacks: config.rulePacks, alarms: config.alarms, workOrders: config.workOrders, uptime: config.uptime },
    site: config.site,
    devices,
    offlineAfter: (id) => config.devices.find((d) => d.id === id)?.offlineAfter ?? config.deviceDefaults.offlineAfter,
    dataDir,
    clock,
    log,
    trouble,
    troubleConditions: () => trouble.list(),
    samples: bus,
    seed: liveSeed(),
    lifeSafety,
    teardown,
    ports: {
      ...(northbound ? { northbound } : {}),
      escalation: escalationChannels(config, broker),
      ...(broker ? { embeddedBroker: broker } : {}),
    },
    ...(standby ? { standby } : {}),
  });
  const { alarms, uptime, workOrders } = rules;
  for (const m of alarms.deviceModes()) modes.set(m.device, m.mode);
  for (const d of devices) live.refresh(d.id);

  teardown.add('sample bus', () => bus.drain());
  const connectorDeps = { clock, log, trouble, dataDir, byId, broker };
  const connectors = await startConnectors(config, { ...connectorDeps, teardown, ingest: privacy.ingest(bus) });
  broker?.ingest.release();
  stampNewFiles(); // files made during this start get the newest schema version

  // every part's series on /metrics, read at scrape time (gateway/metrics/)
  teardown.add('metrics', registerGatewayMetrics(metrics, { clock, connectors: () => connectors, bus, alarms, workOrders, uptime: uptime?.facade, storage: store, trouble, sqliteFiles: () => sqliteFilesOf(dataDir, config.workOrders.database === undefined ? [] : [resolve(config.workOrders.database)]) }));
  // SIGHUP / POST /api/admin/reload (gateway/reload/)
  const reloader = reloadFunction({
    load: options.reloadConfig,
    config,
    connectors,
    startConnector: async (c, site) => {
      const connector = await makeConnector(c, site, connectorDeps);
      if (connector) await startConnector(connector, privacy.ingest(bus), log);
      return connector;
    },
    devices,
    accounts,
    workOrders,
    reloadRules: (next) => lifeSafety.add(alarms.reloadRules(next, liveSeed())),
    trouble,
    audit: accounts.audit,
    log: log.child({ component: 'config-reload' }),
    ...(broker ? { holdIngest: broker.ingest } : {}),
  });
  const acting = (): boolean => standby?.acting() ?? true;

  const health = healthReporter({ config, clock, started, devices, connectors, bus, trouble, telemetry, live, loopLag, store, alarms, broker });

  const events = new EventHub();
  trouble.onChange((event, c) => events.publish('trouble', { event, condition: c }));
  alarms.onEvent((e) => events.publish('alarm', e));
  live.onCondition((change) => events.publish('device', change));
  // live views reload an order when it changed (after the commit); only its id travels
  workOrders?.onChange((id) => events.publish('work-order', { id }));

  // the site as a Sparkplug B edge node of an operations centre (gateway/sparkplug/README.md)
  let sparkplug: SparkplugEdgeNode | undefined;
  if (config.northbound.sparkplug) {
    const node = startEdgeNode({
      config: config.northbound.sparkplug,
      siteId: config.site.id,
      dataDir,
      clock,
      log: log.child({ component: 'sparkplug' }),
      devices,
      bus,
      live,
      broker,
      alarms,
      workOrders,
      uptime,
    });
    if (node) {
      sparkplug = node;
      teardown.add('sparkplug edge node', () => node.stop());
    }
  }

  const deps: ApiDeps = {
    buildings: () => buildingViews(config),
    events,
    onSamples: (listener) => live.onUpdate(listener),
    accounts,
    secureCookies: config.api.secureCookies,
    api: config.api,
    site: config.site,
    devices: () => devices,
    pointsOf: (d) => pointsOf(d.kind, d.zones === undefined ? {} : { zones: d.zones }),
    kinds: () => [...Object.values(BUILTIN_KINDS), ...config.kinds.map((k) => kindDescriptor(k.kind))],
    deviceState: (id) => live.state(id),
    zoneStates: (id) => live.zones(id),
    history: (q) => store.history(q),
    health,
    now: () => clock.now(),
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }),
    alarms: modesToLiveView(rules.alarmsFacade, modes, live),
    ...(rules.workOrdersFacade ? { workOrders: rules.workOrdersFacade } : {}),
    ...(uptime ? { uptime: uptime.facade } : {}),
    handovers: rules.handovers,
    valueMask: (role) => privacy.maskFor(role),
    logLevel: logLevelControl(log),
    ...(reloader.available ? { reload: reloader.reload } : {}),
    ...(standby ? { acting } : {}),
    ...(options.demoFaults ? { demoFaults: options.demoFaults } : {}),
  };
  const app = await buildApp(deps, log.child({ component: 'api' }));
  teardown.add('api', () => app.close());
  const norms = await attachNorms(app, { config, dataDir, devices, clock, log: log.child({ component: 'norms' }), workOrders, uptime, alarms, accounts, teardown });
  let apiUrl: string | undefined;
  if (options.listen !== false) {
    await app.listen({ host: config.api.host, port: config.api.port }).catch((err: unknown) => {
      throw new StartupError(`API cannot listen on ${config.api.host}:${config.api.port}`, err);
    });
    const addr = app.server.address();
    if (addr && typeof addr === 'object') apiUrl = `${config.api.tls ? 'https' : 'http'}://${config.api.host}:${addr.port}`;
  } else {
    await app.ready();
  }

  standby?.start(() => rules.takeover());

  return {
    config,
    clock,
    bus,
    store,
    live,
    trouble,
    connectors,
    broker,
    app,
    apiUrl,
    devices,
    telemetry,
    metrics,
    accounts,
    events,
    alarms,
    workOrders,
    uptime,
    reload: reloader.reload,
    acting,
    norms,
    sparkplug,
    stop: () => teardown.run(),
  };
}

/** A mode set through the API changes the device's condition at once (maintenance is drawn as such). */
function modesToLiveView(alarms: AlarmsFacade, modes: Map<string, string>, live: LiveView<Sample>): AlarmsFacade {
  return {
    ...alarms,
    setDeviceMode: (device, mode, by, reason) => {
      const info = alarms.setDeviceMode(device, mode, by, reason);
      modes.set(device, mode);
      live.refresh(device);
      return info;
    },
  };
}
