/**
 * The composition root: from a validated config to a running gateway (store, bus, live view,
 * embedded broker, connectors, HTTP API). Everything is passed in; nothing reaches for globals.
 */
import { join, resolve } from 'node:path';
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
import { EventHub } from './live/event-hub.ts';
import { LiveView } from './live/live-view.ts';
import { RealClock, type Clock, type Timer } from './model/clock.ts';
import { pointsOf } from './model/device-kinds.ts';
import type { DeviceInfo } from './model/device.ts';
import { SqliteSampleStore } from './storage/sqlite-sample-store.ts';
import { InfluxTelemetry } from './storage/influx-telemetry.ts';
import { openSqlite } from './model/sqlite-file.ts';
import { TroubleBoard } from './trouble/trouble-board.ts';
import type { Sample } from './model/sample.ts';
import { createAlarmService, type AlarmService } from '../rules/alarm-service.ts';
import { forwardAlarmEvents } from '../rules/northbound-alarms.ts';
import { linkMaintenanceMode } from '../rules/maintenance-mode-link.ts';
import { preventiveMaintenanceLink } from '../rules/preventive-maintenance-link.ts';
import mqtt, { type MqttClient } from 'mqtt';
import { WorkOrderService, workOrdersFacade } from '../rules/work-orders/index.ts';
import { alarmSignalOf } from '../rules/work-orders/alarm-signal-of.ts';
import { startUptime, uptimeFiles, uptimeReferenceIssues, type UptimeService } from '../rules/uptime/index.ts';

export interface GatewayOptions {
  readonly clock?: Clock;
  /** Listen for HTTP (default true). Tests may use `gateway.app.inject()` instead. */
  readonly listen?: boolean;
  /**
   * Sample bus delivery (default `async`). `sync` runs every consumer inside `bus.push`, so a
   * scenario replayed on a VirtualClock is seen by storage, rules, work orders and uptime at the
   * virtual time it is made (deterministic month runs).
   */
  readonly busDelivery?: 'async' | 'sync';
}

export interface RunningGateway {
  readonly config: SiteConfig;
  readonly clock: Clock;
  readonly bus: SampleBus;
  readonly store: SqliteSampleStore;
  readonly live: LiveView;
  readonly trouble: TroubleBoard;
  readonly connectors: readonly Connector[];
  readonly broker: RunningBroker | undefined;
  readonly app: FastifyInstance;
  /** `http://host:port` when listening. */
  readonly apiUrl: string | undefined;
  readonly devices: readonly DeviceInfo[];
  /** The InfluxDB store-and-forward path, when `storage.influx` is configured. */
  readonly telemetry: InfluxTelemetry | undefined;
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
  stop(): Promise<void>;
}

export function deviceInfos(config: SiteConfig): DeviceInfo[] {
  return config.devices.map((d) => ({
    id: d.id,
    name: d.name ?? d.id,
    kind: d.kind,
    location: { site: config.site.id, building: d.building, floor: d.floor },
    connector: d.binding.connector,
    ...(d.zones !== undefined ? { zones: d.zones } : {}),
  }));
}

export async function startGateway(config: SiteConfig, log: Logger, options: GatewayOptions = {}): Promise<RunningGateway> {
  const clock = options.clock ?? new RealClock();
  const started = clock.monotonic();
  const dataDir = resolve(config.storage.dataDir);
  const devices = deviceInfos(config);
  const byId = new Map(devices.map((d) => [d.id, d]));
  const timers: Timer[] = [];

  const store = new SqliteSampleStore(join(dataDir, 'telemetry.db'));
  const stateDb = openSqlite(join(dataDir, 'gateway.db'));
  const accounts = new Accounts(stateDb, clock, config.accounts);
  if (accounts.open) log.warn({ api: config.api.host }, 'no accounts configured: the API is open to anyone who can reach it (loopback only)');
  const trouble = new TroubleBoard(clock);
  trouble.onChange((event, c) => log[event === 'raised' ? 'warn' : 'info']({ trouble: c.key, source: c.source }, `gateway trouble ${event}: ${c.message}`));

  const bus = new SampleBus({ capacity: config.bus.queueCapacity, delivery: options.busDelivery ?? 'async', log: log.child({ component: 'bus' }) });
  const live = new LiveView(
    clock,
    config.devices.map((d) => ({ info: byId.get(d.id) as DeviceInfo, offlineAfter: d.offlineAfter ?? config.deviceDefaults.offlineAfter })),
  );
  live.apply(await store.latest());
  bus.subscribe('storage', (batch) => store.write(batch));

  // Telemetry to InfluxDB through the durable spool (data/spool.db); the SQLite store above keeps
  // serving history and the live-view seed either way (gateway/storage/README.md).
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  let telemetry: InfluxTelemetry | undefined;
  if (config.storage.influx) {
    const influx = new InfluxTelemetry(config.storage.influx, {
      dataDir,
      devices,
      buildingNames: new Map(config.buildings.map((b) => [b.id, b.name])),
      clock,
      log: log.child({ component: 'telemetry' }),
      trouble,
      registry: metrics,
    });
    telemetry = influx;
    influx.start();
    bus.subscribe('influx', (batch) => influx.accept(batch));
  }
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
  const seed: Sample[] = [];
  for (const d of devices) {
    for (const [point, p] of Object.entries(live.state(d.id)?.points ?? {})) seed.push({ device: d.id, point, value: p.value, ts: p.ts, quality: p.quality });
  }
  alarms.start(bus, seed);

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
  }

  const pruneLog = log.child({ component: 'storage' });
  timers.push(
    clock.setInterval(config.storage.pruneEvery, () => {
      const removed = store.prune(clock.now() - config.storage.retention);
      if (removed > 0) pruneLog.info({ removed }, 'pruned samples past retention');
    }),
  );

  let broker: RunningBroker | undefined;
  if (config.broker.enabled) broker = await startEmbeddedBroker(config.broker, log.child({ component: 'broker' }));

  let northbound: MqttClient | undefined;
  const nb = config.alarms.northbound;
  if (nb) {
    const url = nb.url === 'embedded' ? broker?.url : nb.url;
    if (url) {
      const nbLog = log.child({ component: 'alarms-northbound' });
      const client = mqtt.connect(url, {
        clientId: `${config.site.id}-alarms-northbound`,
        reconnectPeriod: 2_000,
        ...(nb.username !== undefined ? { username: nb.username } : {}),
        ...(nb.password !== undefined ? { password: nb.password } : {}),
      });
      client.on('error', (err) => nbLog.warn({ err: err.message }, 'northbound alarm publisher error'));
      forwardAlarmEvents((l) => alarms.onEvent(l), nb.topic, (topic, payload) => client.publish(topic, payload, { qos: 1 }));
      northbound = client;
    }
  }

  const connectors: Connector[] = [];
  for (const c of config.connectors) {
    const bound: BoundDevice[] = config.devices
      .filter((d) => d.binding.connector === c.id)
      .map((d) => ({ info: byId.get(d.id) as DeviceInfo, binding: d.binding }));
    const clog = log.child({ connector: c.id });
    const connector = createConnector(c, {
      clock,
      log: clog,
      devices: bound,
      trouble,
      dataDir,
      ...(broker ? { embeddedBrokerUrl: broker.url } : {}),
    });
    if (!connector) {
      clog.error({ type: c.type, devices: bound.length }, `connector type "${c.type}" has no runtime in this build; its devices stay offline`);
      continue;
    }
    connectors.push(connector);
  }
  await Promise.all(
    connectors.map(async (connector) => {
      await connector.start(bus);
      const h = connector.health();
      log.info({ connector: connector.id, type: h.type, connected: h.connected }, h.connected ? `connector ${connector.id} up` : `connector ${connector.id} started; not connected yet, retrying`);
    }),
  );

  const health = (): HealthReport => {
    const mem = process.memoryUsage();
    const connectorHealth = connectors.map((c) => c.health());
    const queues = bus.stats();
    const troubles = trouble.list();
    const influx = telemetry?.status();
    const degraded =
      connectorHealth.some((h) => !h.connected) || troubles.length > 0 || queues.some((q) => q.dropped > 0) || (influx !== undefined && influx.state !== 'ok');
    return {
      status: degraded ? 'degraded' : 'ok',
      uptimeS: Math.round((clock.monotonic() - started) / 1000),
      process: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, node: process.version },
      connectors: connectorHealth.map((h) => ({ ...h })),
      storage: { kind: 'sqlite', file: join(dataDir, 'telemetry.db'), retentionMs: config.storage.retention, alarms: { file: alarms.store.file, ...alarms.stats() }, influx: influx ?? null },
      queues: queues.map((q) => ({ ...q })),
      broker: broker ? { url: broker.url, clients: broker.clients() } : null,
      trouble: troubles.map((t) => ({ ...t })),
    };
  };

  const events = new EventHub();
  trouble.onChange((event, c) => events.publish('trouble', { event, condition: c }));
  alarms.onEvent((e) => events.publish('alarm', e));
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
      ...(broker ? { embeddedBrokerUrl: broker.url } : {}),
    });
    workOrders.start();
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
      if (signal) orders.onAlarm(signal); // logs and counts its own failures; never throws
    });
  }

  const deps: ApiDeps = {
    buildings: () => config.buildings.map((b) => ({ id: b.id, name: b.name, floors: b.floors.map((f) => ({ id: f.id, name: f.name ?? f.id })) })),
    events,
    onSamples: (listener) => live.onUpdate(listener),
    accounts,
    secureCookies: config.api.secureCookies,
    site: config.site,
    devices: () => devices,
    pointsOf: (d) => pointsOf(d.kind, d.zones === undefined ? {} : { zones: d.zones }),
    deviceState: (id) => live.state(id),
    history: (q) => store.history(q),
    health,
    now: () => clock.now(),
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }),
    alarms: uptime ? linkMaintenanceMode(alarms, uptime.inputs, clock) : alarms,
    ...(workOrders ? { workOrders: workOrdersFacade(workOrders) } : {}),
    ...(uptime ? { uptime: uptime.facade } : {}),
  };
  const app = await buildApp(deps, log.child({ component: 'api' }));
  let apiUrl: string | undefined;
  if (options.listen !== false) {
    await app.listen({ host: config.api.host, port: config.api.port });
    const addr = app.server.address();
    if (addr && typeof addr === 'object') apiUrl = `http://${config.api.host}:${addr.port}`;
  } else {
    await app.ready();
  }

  let stopped = false;
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
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const t of timers) t.cancel();
      await app.close();
      await workOrders?.stop().catch((err: unknown) => log.warn({ err }, 'work orders stop failed'));
      await Promise.all(connectors.map((c) => c.stop().catch((err: unknown) => log.warn({ err, connector: c.id }, 'connector stop failed'))));
      await bus.drain();
      await telemetry?.stop();
      alarms.close();
      await northbound?.endAsync();
      uptime?.stop();
      if (broker) await broker.close();
      await store.close();
      stateDb.close();
    },
  };
}
