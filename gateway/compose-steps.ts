/**
 * The composition root's steps, in the order `composeGateway` (gateway.ts) runs them: ports, the
 * core (metrics, gateway.db, accounts, trouble board), telemetry (storage, bus, live view), the
 * embedded broker, rules/, the event hub, the API. Each step registers its own teardown, so a
 * failed start stops what already started, in reverse.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { buildApp } from './api/build-app.ts';
import type { ApiDeps } from './api/api-deps.ts';
import { Accounts } from './auth/accounts.ts';
import type { AuditLog } from './auth/audit-log.ts';
import { startEmbeddedBroker, type RunningBroker } from './broker/embedded-broker.ts';
import { LifeSafetyPoints } from './bus/life-safety-points.ts';
import { SampleBus } from './bus/sample-bus.ts';
import { buildingViews } from './config/floor-plans.ts';
import type { SiteConfig } from './config/site-schema.ts';
import { raiseCommsTrouble } from './live/comms-trouble.ts';
import { EventHub } from './live/event-hub.ts';
import { LiveView } from './live/live-view.ts';
import { logLevelControl } from './log/log-level.ts';
import type { Clock } from './model/clock.ts';
import type { DeviceInfo } from './model/device.ts';
import { BUILTIN_KINDS, kindDescriptor, pointsOfDevice } from './model/kinds/index.ts';
import type { Sample } from './model/sample.ts';
import { assertCanListen } from './net/port-check.ts';
import type { DatabaseSync } from 'node:sqlite';
import { openSqlite } from './platform/sqlite-file.ts';
import { BadgePrivacy, loadBadgeKey } from './privacy/badge-privacy.ts';
import { escalationChannels, northboundPort } from './rules-ports.ts';
import type { InfluxTelemetryStatus } from './storage/influx-telemetry.ts';
import { InlineTelemetryStorage, WorkerTelemetryStorage, type TelemetryStorage } from './storage/telemetry-storage.ts';
import { StartupError, type Teardown } from './teardown.ts';
import { EventLoopLagMonitor } from './trouble/event-loop-lag.ts';
import { TroubleBoard } from './trouble/trouble-board.ts';
import type { DemoFaults } from './demo/demo-faults.ts';
import { RealClock } from './model/clock.ts';
import { MODE_END_BY, startRules, type AlarmsFacade } from '../rules/index.ts';
import type { StandbyWiring } from './standby/standby-wiring.ts';

export type RulesHandle = ReturnType<typeof startRules>;

/** The part of GatewayOptions (gateway.ts) the steps read; declared here so the steps do not import the root. */
export interface GatewayOptions {
  readonly listen?: boolean;
  readonly busDelivery?: 'async' | 'sync';
  readonly storage?: 'worker' | 'inline';
  readonly demoFaults?: DemoFaults;
}

/** A taken API or broker port fails the start before anything else happens. */
export async function checkPorts(config: SiteConfig, options: GatewayOptions): Promise<void> {
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
}

export interface Core {
  readonly metrics: Registry;
  readonly stateDb: DatabaseSync;
  readonly accounts: Accounts;
  readonly trouble: TroubleBoard;
  readonly loopLag: EventLoopLagMonitor;
}

/** Metrics, gateway.db, accounts, the trouble board and the event-loop lag monitor. */
export function openCore(config: SiteConfig, log: Logger, clock: Clock, dataDir: string, teardown: Teardown): Core {
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const stateDb = openSqlite(join(dataDir, 'gateway.db'));
  teardown.add('gateway.db', () => stateDb.close());
  const accounts = new Accounts(stateDb, clock, config.accounts);
  if (accounts.open) log.warn({ api: config.api.host }, 'no accounts configured: the API is open to anyone who can reach it (loopback only)');
  const trouble = new TroubleBoard(clock);
  trouble.onChange((event, c) => log[event === 'raised' ? 'warn' : 'info']({ trouble: c.key, source: c.source }, `gateway trouble ${event}: ${c.message}`));
  const loopLag = new EventLoopLagMonitor({ trouble, registry: metrics });
  return { metrics, stateDb, accounts, trouble, loopLag };
}

export interface TelemetryParts {
  readonly store: TelemetryStorage;
  readonly lifeSafety: LifeSafetyPoints;
  readonly privacy: BadgePrivacy;
  readonly bus: SampleBus;
  /** Operator-set device modes (maintenance, out of service), mirrored from the alarm service. */
  readonly modes: Map<string, string>;
  readonly live: LiveView<Sample>;
  readonly telemetry: { status: () => InfluxTelemetryStatus } | undefined;
}

interface TelemetryInput {
  readonly config: SiteConfig;
  readonly log: Logger;
  readonly options: GatewayOptions;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly devices: readonly DeviceInfo[];
  readonly byId: ReadonlyMap<string, DeviceInfo>;
  readonly core: Core;
  readonly teardown: Teardown;
}

/** telemetry.db and spool.db (a storage worker thread with group commits, gateway/storage/README.md), the sample bus and the live view. */
export async function startTelemetry(i: TelemetryInput): Promise<TelemetryParts> {
  const { config, log, options, clock, dataDir, devices, teardown } = i;
  const { trouble, metrics, loopLag } = i.core;
  const storageMode = options.storage ?? (options.busDelivery === 'sync' || !(clock instanceof RealClock) ? 'inline' : 'worker');
  const storageSpec = { dataDir, devices: [...devices], buildingNames: config.buildings.map((b) => [b.id, b.name] as const), ...(config.storage.influx ? { influx: config.storage.influx } : {}) };
  const storageDeps = { clock, log: log.child({ component: 'telemetry' }), trouble, registry: metrics };
  const store: TelemetryStorage = storageMode === 'worker' ? await WorkerTelemetryStorage.start(storageSpec, storageDeps) : new InlineTelemetryStorage(storageSpec, storageDeps);
  teardown.add('telemetry storage', () => store.close());
  teardown.add('event-loop lag monitor', () => loopLag.stop());
  const lifeSafety = new LifeSafetyPoints([...devices]);
  // Badge ids are pseudonymised where samples enter, unless privacy.badges is clear (gateway/privacy/).
  const privacy = new BadgePrivacy(
    loadBadgeKey(dataDir),
    config.privacy,
    devices.filter((d) => d.kind === 'access_door').map((d) => d.id),
  );
  const bus = new SampleBus({ capacity: config.bus.queueCapacity, delivery: options.busDelivery ?? 'async', isPriority: (s) => lifeSafety.has(s), log: log.child({ component: 'bus' }) });
  const modes = new Map<string, string>();
  const live = new LiveView<Sample>([...devices], { modeOf: (id) => modes.get(id) });
  live.onCondition(raiseCommsTrouble(i.byId, trouble));
  live.seed(await store.latest());
  // one durable consumer stores each batch in telemetry.db and (with storage.influx) spool.db
  bus.subscribe('storage', (batch) => store.write(batch), { durable: true });
  const telemetry = config.storage.influx ? { status: (): InfluxTelemetryStatus => store.influxStatus() as InfluxTelemetryStatus } : undefined;
  bus.subscribe('live', (batch) => live.apply(batch));
  schedulePrune(config, log, clock, store, teardown);
  return { store, lifeSafety, privacy, bus, modes, live, telemetry };
}

function schedulePrune(config: SiteConfig, log: Logger, clock: Clock, store: TelemetryStorage, teardown: Teardown): void {
  const pruneLog = log.child({ component: 'storage' });
  const timer = clock.setInterval(config.storage.pruneEvery, () => {
    store.prune(clock.now() - config.storage.retention).then(
      (removed) => {
        if (removed > 0) pruneLog.info({ removed }, 'pruned samples past retention');
      },
      (err: unknown) => pruneLog.error({ err }, 'pruning samples failed'),
    );
  });
  teardown.add('timers', () => timer.cancel());
}

export async function startBroker(config: SiteConfig, log: Logger, teardown: Teardown): Promise<RunningBroker | undefined> {
  if (!config.broker.enabled) return undefined;
  const b = await startEmbeddedBroker(config.broker, log.child({ component: 'broker' })).catch((err: unknown) => {
    throw new StartupError(`embedded MQTT broker cannot listen on ${config.broker.host}:${config.broker.port}`, err);
  });
  teardown.add('embedded broker', () => b.close());
  return b;
}

interface RulesInput {
  readonly config: SiteConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly dataDir: string;
  readonly devices: DeviceInfo[];
  readonly trouble: TroubleBoard;
  readonly tele: TelemetryParts;
  readonly broker: RunningBroker | undefined;
  readonly teardown: Teardown;
  /** Warm standby: outward actions wait for the lease (gateway/standby/). */
  readonly standby: StandbyWiring | undefined;
}

/** Every point's current value in the live view: what rules start from (at start and after a rule reload). */
export function liveSeed(devices: readonly DeviceInfo[], live: LiveView<Sample>): Sample[] {
  return devices.flatMap((d) =>
    Object.entries(live.state(d.id)?.points ?? {}).map(([point, p]) => ({ device: d.id, point, value: p.value, ts: p.ts, quality: p.quality, ...(p.reason === undefined ? {} : { reason: p.reason }) })),
  );
}

/**
 * rules/: alarms (open ones come back from gateway.db; rules resume from the live values), uptime,
 * work orders, escalation and the northbound link, wired behind the one front door (rules/README.md).
 */
export function startRulesStep(i: RulesInput): RulesHandle {
  const { config, log, clock, dataDir, devices, trouble, tele, broker, teardown, standby } = i;
  const northbound = northboundPort(config, broker, log, teardown);
  return startRules({
    settings: { rules: config.rules, rulePacks: config.rulePacks, alarms: config.alarms, workOrders: config.workOrders, uptime: config.uptime },
    site: config.site,
    devices,
    offlineAfter: (id) => config.devices.find((d) => d.id === id)?.offlineAfter ?? config.deviceDefaults.offlineAfter,
    dataDir,
    clock,
    log,
    trouble,
    troubleConditions: () => trouble.list(),
    samples: tele.bus,
    seed: liveSeed(devices, tele.live),
    lifeSafety: tele.lifeSafety,
    teardown,
    ports: {
      ...(northbound ? { northbound } : {}),
      escalation: escalationChannels(config, broker),
      ...(broker ? { embeddedBroker: broker } : {}),
    },
    ...(standby ? { standby } : {}),
  });
}

/** What the event streams carry: trouble, alarm events, device condition changes, work-order change notices. */
export function eventHubOf(trouble: TroubleBoard, rules: RulesHandle, live: LiveView<Sample>): EventHub {
  const events = new EventHub();
  trouble.onChange((event, c) => events.publish('trouble', { event, condition: c }));
  rules.alarms.onEvent((e) => events.publish('alarm', e));
  live.onCondition((change) => events.publish('device', change));
  // live views reload an order when it changed (after the commit); only its id travels
  rules.workOrders?.onChange((id) => events.publish('work-order', { id }));
  return events;
}

interface ApiInput {
  readonly config: SiteConfig;
  readonly log: Logger;
  readonly options: GatewayOptions;
  readonly clock: Clock;
  readonly devices: DeviceInfo[];
  readonly core: Core;
  readonly tele: TelemetryParts;
  readonly rules: RulesHandle;
  readonly health: ApiDeps['health'];
  readonly events: EventHub;
}

export function apiDeps(i: ApiInput): ApiDeps {
  const { config, log, options, clock, devices, tele, rules } = i;
  const { live, store, privacy } = tele;
  const { metrics } = i.core;
  return {
    buildings: () => buildingViews(config),
    events: i.events,
    onSamples: (listener) => live.onUpdate(listener),
    accounts: i.core.accounts,
    secureCookies: config.api.secureCookies,
    api: config.api,
    site: config.site,
    devices: () => devices,
    pointsOf: (d) => pointsOfDevice(d),
    kinds: () => [...Object.values(BUILTIN_KINDS), ...config.kinds.map((k) => kindDescriptor(k.kind))],
    deviceState: (id) => live.state(id),
    zoneStates: (id) => live.zones(id),
    history: (q) => store.history(q),
    health: i.health,
    now: () => clock.now(),
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.metrics() }),
    alarms: rules.alarmsFacade,
    ...(rules.workOrdersFacade ? { workOrders: rules.workOrdersFacade } : {}),
    ...(rules.uptime ? { uptime: rules.uptime.facade } : {}),
    handovers: rules.handovers,
    valueMask: (role) => privacy.maskFor(role),
    logLevel: logLevelControl(log),
    ...(options.demoFaults ? { demoFaults: options.demoFaults } : {}),
  };
}

/** Build the API; `mount` adds routes of parts started beside it (the norms) before it listens. */
export async function startApi(
  deps: ApiDeps,
  config: SiteConfig,
  log: Logger,
  options: GatewayOptions,
  teardown: Teardown,
  mount: (app: FastifyInstance) => Promise<void> = async () => {},
): Promise<{ app: FastifyInstance; apiUrl: string | undefined }> {
  const app = await buildApp(deps, log.child({ component: 'api' }));
  teardown.add('api', () => app.close());
  await mount(app);
  if (options.listen === false) {
    await app.ready();
    return { app, apiUrl: undefined };
  }
  await app.listen({ host: config.api.host, port: config.api.port }).catch((err: unknown) => {
    throw new StartupError(`API cannot listen on ${config.api.host}:${config.api.port}`, err);
  });
  const addr = app.server.address();
  const apiUrl = addr && typeof addr === 'object' ? `${config.api.tls ? 'https' : 'http'}://${config.api.host}:${addr.port}` : undefined;
  return { app, apiUrl };
}

/**
 * Device modes (maintenance, out of service) as the live view draws them: the modes standing at the
 * start, then every committed change, whether an operator's (the API audits it) or the gateway's at
 * the mode's end time, which is audited here as `device mode ended` by `system:mode-end`.
 */
export function followDeviceModes(alarms: Pick<AlarmsFacade, 'deviceModes' | 'onModeChange'>, modes: Map<string, string>, live: LiveView<Sample>, audit: Pick<AuditLog, 'record'>): void {
  for (const m of alarms.deviceModes()) modes.set(m.device, m.mode);
  alarms.onModeChange((info) => {
    modes.set(info.device, info.mode);
    live.refresh(info.device);
    if (info.by === MODE_END_BY) audit.record({ username: MODE_END_BY, action: 'device mode ended', target: info.device, detail: { mode: info.mode, reason: info.reason } });
  });
}
