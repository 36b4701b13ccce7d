/**
 * The composition root: from a validated config to a running gateway (store, bus, live view,
 * embedded broker, connectors, HTTP API). Everything is passed in; nothing reaches for globals.
 */
import type { DemoFaults } from './demo/demo-faults.ts';
import { buildingViews } from './config/floor-plans.ts';
import { join, resolve } from 'node:path';
import { tlsClientOptions } from './platform/tls-client.ts';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buildApp } from './api/build-app.ts';
import { Accounts } from './auth/accounts.ts';
import type { ApiDeps, HealthReport } from './api/api-deps.ts';
import { startEmbeddedBroker, type RunningBroker } from './broker/embedded-broker.ts';
import { SampleBus } from './bus/sample-bus.ts';
import type { SiteConfig } from './config/site-schema.ts';
import { createConnector } from './connectors/connector-registry.ts';
import type { BoundDevice, Connector } from './connectors/connector.ts';
import type { ConnectorConfig } from './connectors/connector-schemas.ts';
import { ConfigReloader, type ReloadActor, type ReloadResult } from './reload/config-reload.ts';
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
import { registerGatewayMetrics } from './metrics/gateway-metrics.ts';
import { sqliteFilesOf } from './metrics/sqlite-files.ts';
import { scrapeGauge } from './metrics/scrape-metric.ts';
import { openSqlite } from './model/sqlite-file.ts';
import { migrateDataDir, stampNewFiles } from './migrations/migration-runner.ts';
import { GATEWAY_DB, SCHEMA_PLANS } from './migrations/schema-plans.ts';
import { TroubleBoard } from './trouble/trouble-board.ts';
import { logLevelControl } from './log/log-level.ts';
import { StartupError, Teardown } from './teardown.ts';
import { assertCanListen } from './net/port-check.ts';
import { BadgePrivacy, loadBadgeKey } from './privacy/badge-privacy.ts';
import type { Sample } from './model/sample.ts';
import { createAlarmService, type AlarmService, type AlarmsFacade } from '../rules/alarm-service.ts';
import { forwardAlarmEvents, northboundTopic } from '../rules/northbound-alarms.ts';
import { StandbyRole } from './standby/standby-role.ts';
import { EscalationService } from '../rules/alarms/escalation-service.ts';
import { linkMaintenanceMode } from '../rules/maintenance-mode-link.ts';
import { preventiveMaintenanceLink } from '../rules/preventive-maintenance-link.ts';
import mqtt, { type MqttClient } from 'mqtt';
import { WorkOrderService, workOrdersFacade } from '../rules/work-orders/index.ts';
import { alarmSignalOf } from '../rules/work-orders/alarm-signal-of.ts';
import { startUptime, uptimeFiles, uptimeReferenceIssues, type UptimeService } from '../rules/uptime/index.ts';

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
  const migrationLog = log.child({ component: 'migrations' });
  // a work-order database kept apart from gateway.db has the same plan (its steps check which tables exist)
  const schemaPlans = config.workOrders.enabled && config.workOrders.database !== undefined && resolve(config.workOrders.database) !== join(dataDir, 'gateway.db')
    ? [...SCHEMA_PLANS, { ...GATEWAY_DB, file: resolve(config.workOrders.database) }]
    : SCHEMA_PLANS;
  const migrated = await migrateDataDir(dataDir, schemaPlans, migrationLog).catch((err: unknown) => {
    throw new StartupError('schema migration', err);
  });
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

  // Rules and alarms: open alarms come back from data/gateway.db; rules resume from the live values.
  const alarms = createAlarmService({
    rules: config.rules,
    rulePacks: config.rulePacks,
    settings: config.alarms,
    devices,
    clock,
    log: log.child({ component: 'rules' }),
    dbFile: join(dataDir, 'gateway.db'),
    reserve: true, // disk space kept for alarms and work orders (alarms.storageReserveMb)
    trouble,
  });
  teardown.add('alarms', () => alarms.close());
  /** Every point's current value in the live view: what rules start from (at start and after a rule reload). */
  const liveSeed = (): Sample[] => {
    const seed: Sample[] = [];
    for (const d of devices) {
      for (const [point, p] of Object.entries(live.state(d.id)?.points ?? {})) seed.push({ device: d.id, point, value: p.value, ts: p.ts, quality: p.quality, ...(p.reason === undefined ? {} : { reason: p.reason }) });
    }
    return seed;
  };
  lifeSafety.add(alarms.engine.lifeSafetyPoints());
  alarms.start(bus, liveSeed());
  for (const m of alarms.deviceModes()) modes.set(m.device, m.mode);
  for (const d of devices) live.refresh(d.id);

  let uptime: UptimeService | undefined;
  if (config.uptime.enabled) {
    const ulog = log.child({ component: 'uptime' });
    for (const issue of uptimeReferenceIssues(config.uptime, devices.map((d) => d.id))) ulog.error(issue, `config ${issue.path}: ${issue.message}; ignored`);
    uptime = startUptime({
      config: config.uptime,
      site: config.site,
      devices: config.devices.map((d) => ({ info: byId.get(d.id) as DeviceInfo, offlineAfter: d.offlineAfter ?? config.deviceDefaults.offlineAfter })),
      clock,
      log: ulog,
      ...uptimeFiles(dataDir),
    });
    uptime.attach(bus);
    const u = uptime;
    teardown.add('uptime', () => u.stop());
  }

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

  // Warm standby (gateway/standby/): both gateways of a pair read the field and keep their alarms;
  // only the lease holder acts outward. `acting()` gates each outward action; what starts only on
  // the active one is queued in `onActive` and run when it takes over (at once without a pair).
  const onActive: Array<() => void> = [];
  let role: StandbyRole | undefined;
  const acting = (): boolean => role === undefined || role.mayAct();
  const whenActive = (fn: () => void): void => {
    if (config.standby) onActive.push(fn);
    else fn();
  };

  let northbound: MqttClient | undefined;
  let announceOpenAlarms: (() => void) | undefined;
  const nb = config.alarms.northbound;
  if (nb) {
    const url = nb.url === 'embedded' ? broker?.internalUrl : nb.url;
    if (url) {
      const nbLog = log.child({ component: 'alarms-northbound' });
      const client = mqtt.connect(url, {
        clientId: `${config.site.id}-alarms-northbound`,
        reconnectPeriod: 2_000,
        ...(nb.username !== undefined ? { username: nb.username } : {}),
        ...(nb.password !== undefined ? { password: nb.password } : {}),
        ...(nb.url === 'embedded' ? {} : tlsClientOptions(nb.tls, 'alarms.northbound')),
        ...(nb.url === 'embedded' && broker ? broker.connectOptions('alarms-northbound') : {}),
      });
      client.on('error', (err) => nbLog.warn({ err: err.message }, 'northbound alarm publisher error'));
      forwardAlarmEvents((l) => alarms.onEvent(l), nb.topic, (topic, payload) => {
        if (acting()) client.publish(topic, payload, { qos: 1 });
      });
      // on a takeover: each open alarm once, as raised (the standby kept them but did not announce them)
      announceOpenAlarms = () => {
        for (const alarm of alarms.active({ limit: 100_000 })) {
          const e = { type: 'raised' as const, alarm, at: clock.now(), takeover: true };
          if (acting()) client.publish(northboundTopic(nb.topic, e), JSON.stringify(e), { qos: 1 });
        }
      };
      northbound = client;
      teardown.add('northbound alarm publisher', () => client.endAsync());
    }
  }

  teardown.add('sample bus', () => bus.drain());
  const connectors: Connector[] = [];
  teardown.add('connectors', () => Promise.all(connectors.map((c) => c.stop().catch((err: unknown) => log.warn({ err, connector: c.id }, 'connector stop failed')))));
  /** The connector of `c` for the devices `site` binds to it (at start, and again on a config reload). */
  const makeConnector = async (c: ConnectorConfig, site: SiteConfig): Promise<Connector | undefined> => {
    const bound: BoundDevice[] = site.devices
      .filter((d) => d.binding.connector === c.id)
      .map((d) => ({ info: byId.get(d.id) as DeviceInfo, binding: d.binding }));
    const clog = log.child({ connector: c.id });
    const connector = await createConnector(c, {
      clock,
      log: clog,
      devices: bound,
      trouble,
      dataDir,
      maxClockSkew: site.deviceDefaults.maxClockSkew,
      ...(broker ? { embeddedBrokerUrl: broker.url, embeddedBroker: broker, embeddedIngest: broker.ingest } : {}),
    });
    if (!connector) clog.error({ type: c.type, devices: bound.length }, `connector type "${c.type}" has no runtime in this build; its devices stay offline`);
    return connector;
  };
  const startConnector = async (connector: Connector): Promise<void> => {
    await connector.start(privacy.ingest(bus));
    const h = connector.health();
    log.info({ connector: connector.id, type: h.type, connected: h.connected }, h.connected ? `connector ${connector.id} up` : `connector ${connector.id} started; not connected yet, retrying`);
  };
  for (const c of config.connectors) {
    const connector = await makeConnector(c, config);
    if (connector) connectors.push(connector);
  }
  await Promise.all(connectors.map(startConnector));
  broker?.ingest.release();

  const health = (): HealthReport => {
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
      broker: broker ? { url: broker.url, ...(broker.tlsUrl ? { tlsUrl: broker.tlsUrl } : {}), clients: broker.clients(), refusals: broker.refusals() } : null,
      trouble: troubles.map((t) => ({ ...t })),
    };
  };

  const events = new EventHub();
  trouble.onChange((event, c) => events.publish('trouble', { event, condition: c }));
  alarms.onEvent((e) => events.publish('alarm', e));
  live.onCondition((change) => events.publish('device', change));
  let workOrders: WorkOrderService | undefined;
  if (config.workOrders.enabled) {
    workOrders = new WorkOrderService({
      config: config.workOrders,
      file: resolve(config.workOrders.database ?? join(dataDir, 'gateway.db')),
      clock,
      log: log.child({ component: 'work-orders' }),
      site: { id: config.site.id, timezone: config.site.timezone },
      devices: () => devices,
      trouble,
      // verify-and-close is refused while an alarm of the order is still active
      alarmActive: (id) => alarms.get(id)?.conditionActive,
      ...(broker ? { embeddedBrokerUrl: broker.url, embeddedBroker: broker } : {}),
    });
    const w = workOrders;
    teardown.add('work orders', () => w.stop());
    whenActive(() => w.start());
  }
  if (workOrders) {
    const orders = workOrders;
    // live views reload an order when it changed (after the commit); only its id travels
    orders.onChange((id) => events.publish('work-order', { id }));
    if (uptime) {
      const u = uptime;
      orders.onChange(preventiveMaintenanceLink((id) => orders.get(id), u.inputs, clock));
    }
    // one SQLite commit per alarm event; sending happens later in the outbox worker
    alarms.onEvent((e) => {
      const signal = alarmSignalOf(e);
      if (signal && acting()) orders.onAlarm(signal); // logs and counts its own failures; never throws
    });
  }

  // escalation of unacknowledged alarms to the on-call list, through the dispatch outbox in gateway.db
  if (config.alarms.escalation.enabled) {
    const wo = config.workOrders;
    const embedded = wo.mqtt.url === 'embedded';
    const escalation = new EscalationService({
      config: config.alarms.escalation,
      alarms,
      clock,
      log: log.child({ component: 'escalation' }),
      dbFile: alarms.store.file,
      senders: {
        ...(embedded ? (broker ? { mqttUrl: broker.internalUrl } : {}) : { mqttUrl: wo.mqtt.url }),
        mqttOptions:
          embedded && broker
            ? broker.connectOptions('escalation')
            : {
                clientId: `gateway-${config.site.id}-escalation`,
                ...(wo.mqtt.username !== undefined ? { username: wo.mqtt.username } : {}),
                ...(wo.mqtt.password !== undefined ? { password: wo.mqtt.password } : {}),
                ...tlsClientOptions(wo.mqtt.tls, 'workOrders.mqtt'),
              },
        webhooks: wo.dispatch.webhooks,
        ...(wo.smtp ? { smtp: { ...wo.smtp, timeoutMs: wo.dispatch.timeout } } : {}),
      },
      dispatch: wo.dispatch,
    });
    teardown.add('escalation', () => escalation.stop());
    whenActive(() => escalation.start());
  }

  // files made during this start (by the parts above) get the newest schema version
  stampNewFiles(migrated, schemaPlans);

  // every part's series on /metrics, read at scrape time (gateway/metrics/)
  const detachMetrics = registerGatewayMetrics(metrics, {
    clock,
    connectors: () => connectors,
    bus,
    alarms,
    workOrders,
    uptime: uptime?.facade,
    storage: store,
    trouble,
    sqliteFiles: () => sqliteFilesOf(dataDir, config.workOrders.database === undefined ? [] : [resolve(config.workOrders.database)]),
  });
  teardown.add('metrics', () => detachMetrics());

  const reloader = options.reloadConfig
    ? new ConfigReloader({
        load: options.reloadConfig,
        config,
        connectors,
        startConnector: async (c, site) => {
          const connector = await makeConnector(c, site);
          if (connector) await startConnector(connector);
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
      })
    : undefined;
  const reload = (by: ReloadActor): Promise<ReloadResult> =>
    reloader
      ? reloader.reload(by)
      : Promise.resolve({ ok: false, reason: 'failed', message: 'this gateway was not started from a site file; nothing to reload', errors: [], changes: [] });

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
    alarms: modesToLiveView(uptime ? linkMaintenanceMode(alarms, uptime.inputs, clock) : alarms, modes, live),
    ...(workOrders ? { workOrders: workOrdersFacade(workOrders) } : {}),
    ...(uptime ? { uptime: uptime.facade } : {}),
    valueMask: (role) => privacy.maskFor(role),
    logLevel: logLevelControl(log),
    ...(reloader ? { reload } : {}),
    ...(config.standby ? { acting } : {}),
    ...(options.demoFaults ? { demoFaults: options.demoFaults } : {}),
  };
  const app = await buildApp(deps, log.child({ component: 'api' }));
  teardown.add('api', () => app.close());
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

  if (config.standby) {
    const standbyConfig = config.standby;
    const orders = workOrders;
    role = new StandbyRole({
      config: standbyConfig,
      clock,
      log: log.child({ component: 'standby' }),
      trouble,
      onTakeover: () => {
        for (const fn of onActive.splice(0)) fn();
        // open alarms the standby kept without acting: a work order each (the service keeps one per fault) and one announcement
        if (orders) {
          for (const alarm of alarms.active({ limit: 100_000 })) {
            const signal = alarm.conditionActive ? alarmSignalOf({ type: 'raised', alarm, at: clock.now() }) : undefined;
            if (signal) orders.onAlarm(signal);
          }
        }
        announceOpenAlarms?.();
      },
      onStepDown: () => options.onStepDown?.(),
    });
    const r = role;
    teardown.add('standby lease', () => r.stop());
    scrapeGauge(metrics, 'gateway_standby_active', 'Warm standby: 1 while this gateway holds the lease and acts, 0 while it is the standby', ['node'], () => [[{ node: standbyConfig.node }, r.isActive() ? 1 : 0]]);
    r.start();
  }

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
    reload,
    acting,
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
