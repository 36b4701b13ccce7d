/**
 * OPC UA connector (node-opcua client): one session and ONE subscription per connection, with a
 * monitored item per bound point, created in batches no larger than the server's
 * MaxMonitoredItemsPerCall. Live data comes only from data-change notifications, never from reads.
 * Recovery is ours: on a lost connection, a closed session, a terminated or silent subscription (no
 * data, no keep-alive for `silentAfter`) the client is rebuilt after the runtime's backoff on the
 * Clock; meanwhile every point is `null` / bad / `comms lost` and fire panels raise `comms-lost:<device>`.
 * Nothing is invented: a value that does not fit, or a Bad status, makes the point `null` / bad with
 * the reason; Uncertain keeps the value with the status as the reason. A binding that cannot work is
 * refused with a trouble; the other devices run.
 */
import type { LatencySnapshot } from '../../metrics/latency-buckets.ts';
import { AttributeIds, OPCUAClient, type ClientSession, type ClientSubscription, type DataValue, type OPCUACertificateManager } from 'node-opcua';
import type { Logger } from 'pino';
import type { Timer } from '../../model/clock.ts';
import { LIFE_SAFETY_KINDS } from '../../model/device-kinds.ts';
import type { Sample, SampleSink } from '../../model/sample.ts';
import { RateLimitedLog } from '../../log/rate-limited-log.ts';
import { ConnectorStats, type CommandOutcome, type CommandRequest, type ConditionAckOutcome, type ConditionAckRequest, type ConnectionHealth, type Connector, type ConnectorContext } from '../connector.ts';
import { OpcuaConditionWatch } from './opcua-conditions.ts';
import { commandsOf, sendOpcuaCommand } from './opcua-command.ts';
import { resolveBrowsePaths } from './opcua-browse-paths.ts';
import { ThroughputMeter } from '../throughput-meter.ts';
import { Backoff } from '../runtime/backoff.ts';
import { DEFAULT_MAX_CLOCK_SKEW } from '../runtime/clock-skew.ts';
import type { CommsLoss } from '../runtime/comms-loss.ts';
import type { RefusedBindings } from '../runtime/refused-bindings.ts';
import type { MonitoredPoint } from './opcua-bindings.ts';
import { createCertificateManager, pkiFolder, securityModeOf, securityPolicyOf, userIdentityOf, warnPlainPassword } from './opcua-client-options.ts';
import type { OpcuaCommand, OpcuaConnectorConfig } from './opcua-schema.ts';
import { routeOpcuaLibraryLogs } from './opcua-library-log.ts';
import { monitorPoints } from './opcua-items.ts';
import { readItemsPerCall, reportBadNodes, type BadNode } from './opcua-bad-nodes.ts';
import { sampleOf } from './opcua-sample.ts';
import { bindDevices, closeLive, type Live } from './opcua-session-parts.ts';

export class OpcuaConnector implements Connector {
  readonly id: string;
  private readonly config: OpcuaConnectorConfig;
  private readonly ctx: ConnectorContext;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly stats = new ConnectorStats();
  private readonly meter: ThroughputMeter;
  private readonly points: readonly MonitoredPoint[];
  /** When a point was marked bad for a lost connection: its next sample must not look older. */
  private readonly markedBadAt = new Map<MonitoredPoint, number>();
  private readonly lifeSafety: boolean;
  private readonly comms: CommsLoss;
  private readonly refused: RefusedBindings;
  private readonly backoff: Backoff;
  /** A connector-level configuration problem (e.g. an unreadable identity file): it does not connect. */
  private readonly configProblem: string | undefined;
  private certificates: OPCUACertificateManager | undefined;
  private out: SampleSink | undefined;
  private live: Live | undefined;
  private gen = 0;
  private stopped = true;
  private attempt = 0;
  private retryTimer: Timer | undefined;
  private watchdog: Timer | undefined;
  private lastActivity = 0;
  private silentAfterMs = 0;
  private silent = false;
  private itemsPerCall = 0;
  private reconnects = 0;
  private lastError: string | undefined;
  private badNodes: BadNode[] = [];
  private pending: Sample[] = [];
  private flushQueued = false;
  /** The commands of each device that runs, `{device}` substituted. */
  private readonly commands: ReadonlyMap<string, Readonly<Record<string, OpcuaCommand>>>;
  /** Alarms & Conditions of the devices whose bindings ask for them (opcua-conditions.ts). */
  private readonly conditions: OpcuaConditionWatch;

  constructor(config: OpcuaConnectorConfig, ctx: ConnectorContext) {
    this.id = config.id;
    this.config = config;
    this.ctx = ctx;
    this.log = ctx.log;
    this.warnings = new RateLimitedLog(ctx.log, ctx.clock);
    this.meter = new ThroughputMeter(ctx.clock, () => this.stats);
    routeOpcuaLibraryLogs(ctx.log);
    const bound = bindDevices(config, ctx);
    this.refused = bound.refused;
    this.points = bound.points;
    this.comms = bound.comms;
    this.configProblem = bound.configProblem;
    this.lifeSafety = this.points.some((p) => LIFE_SAFETY_KINDS.has(p.kind));
    this.commands = commandsOf(ctx.devices, new Set(this.points.map((p) => p.device)));
    warnPlainPassword(config, ctx.log);
    this.conditions = new OpcuaConditionWatch(this.id, ctx.devices, ctx.conditions, ctx.log, () => ctx.clock.now());
    this.conditions.watchConditionOnly(this.comms, new Set(this.points.map((p) => p.device)));
    this.backoff = new Backoff({ min: config.reconnectDelay, max: Math.max(config.reconnectDelay, config.reconnectMaxDelay) }, ctx.random ?? Math.random);
  }

  /** Resolves after the first connection attempt, connected or not; retries continue in the background. */
  async start(out: SampleSink): Promise<void> {
    this.out = out;
    // a restart knows nothing of the server's conditions until ConditionRefresh replays them
    this.conditions.unknown('not refreshed yet since the connector started');
    if (this.configProblem !== undefined) {
      this.lastError = `config: ${this.configProblem}`;
      this.comms.allLost(`connector not started: ${this.configProblem}`, out);
      return;
    }
    this.stopped = false;
    this.meter.start();
    if (this.config.trustUnknownServerCertificates) {
      this.log.warn({ endpoint: this.config.endpoint }, 'trustUnknownServerCertificates is on: any server certificate is accepted (development only)');
    }
    this.certificates = createCertificateManager(this.config, this.ctx.dataDir);
    await this.certificates.initialize();
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.meter.stop();
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    await this.teardown();
    await this.certificates?.dispose();
    this.certificates = undefined;
    this.ctx.trouble.clear(this.silentKey());
    this.ctx.trouble.clear(this.lostKey());
    this.comms.clearAll();
  }

  requestLatency(): LatencySnapshot {
    return this.stats.latency.snapshot();
  }

  mappedCommands(device: string): readonly string[] {
    return Object.keys(this.commands.get(device) ?? {});
  }

  /** A command as the write or method call its binding maps it to, confirmed by read-back (opcua-command.ts). */
  async command(request: CommandRequest): Promise<CommandOutcome> {
    const c = this.commands.get(request.device)?.[request.command];
    if (!c) return { result: 'failed', detail: `the binding of ${request.device} maps no OPC UA write or call for "${request.command}"` };
    const outcome = await sendOpcuaCommand(this.live?.session, this.ctx.clock, c, request.confirmTimeout);
    this.log.info({ device: request.device, command: request.command, result: outcome.result, detail: outcome.detail }, 'opcua command');
    return outcome;
  }

  /** An operator's acknowledge, passed to the condition's Acknowledge method (opcua-conditions.ts). */
  acknowledgeCondition(request: ConditionAckRequest): Promise<ConditionAckOutcome> {
    return this.conditions.acknowledge(this.live?.session, request);
  }

  health(): ConnectionHealth {
    const refused = this.refused.snapshot();
    return this.stats.snapshot(this.id, 'opcua', {
      ...this.meter.rates(),
      endpoint: this.config.endpoint,
      monitoredItems: this.points.length,
      itemsPerCall: this.itemsPerCall,
      silentSubscription: this.silent,
      silentAfterMs: this.silentAfterMs,
      reconnects: this.reconnects,
      ...(this.conditions.devices.length > 0 ? { conditionDevices: this.conditions.devices.length, conditionEvents: this.conditions.events, conditionsUnknown: this.conditions.unknownDevices() } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(this.badNodes.length > 0 ? { badNodes: this.badNodes } : {}),
      ...(refused ? { rejectedBindings: refused } : {}),
    });
  }

  private async connect(): Promise<void> {
    const gen = ++this.gen;
    // Pick up certificates an engineer trusted (or removed) since the last attempt; no file watchers.
    if (this.attempt > 0) await this.certificates?.reloadCertificates().catch(() => undefined);
    if (!this.current(gen)) return;
    const client = OPCUAClient.create({
      applicationName: `facility-gateway-${this.id}`,
      endpointMustExist: false,
      securityMode: securityModeOf(this.config),
      securityPolicy: securityPolicyOf(this.config),
      clientCertificateManager: this.certificates as OPCUACertificateManager,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: false,
      requestedSessionTimeout: 60_000,
      transportTimeout: this.config.requestTimeout,
      defaultTransactionTimeout: this.config.requestTimeout,
    });
    const live: Live = { gen, client, groups: [] };
    this.live = live;
    client.on('connection_lost', () => this.lost(gen, 'connection lost'));
    client.on('close', () => this.lost(gen, 'connection closed'));
    try {
      this.stats.requests++;
      const sent = this.ctx.clock.monotonic();
      await client.connect(this.config.endpoint);
      this.stats.latency.observe((this.ctx.clock.monotonic() - sent) / 1000);
      if (!this.current(gen)) return;
      const session = await client.createSession(userIdentityOf(this.config));
      live.session = session;
      if (!this.current(gen)) return;
      session.on('session_closed', () => this.lost(gen, 'session closed by server'));
      this.itemsPerCall = await readItemsPerCall(this.config.maxItemsPerCall, session);
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: this.config.publishingInterval,
        requestedMaxKeepAliveCount: this.config.keepAliveCount,
        requestedLifetimeCount: this.config.keepAliveCount * 6,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 10,
      });
      live.subscription = subscription;
      if (!this.current(gen)) return;
      subscription.on('error', (err: Error) => this.libraryError(gen, err));
      subscription.on('internal_error', (err: Error) => this.libraryError(gen, err));
      subscription.on('keepalive', () => this.activity(gen));
      subscription.on('received_notifications', () => this.activity(gen));
      subscription.on('terminated', () => this.lost(gen, 'subscription terminated'));
      await this.createItems(live, subscription);
      if (!this.current(gen)) return;
      // a failure leaves the conditions unknown (logged there) but the values flowing
      if (!(await this.conditions.monitor(session, subscription, () => this.current(gen)))) this.stats.error('conditions');
      if (!this.current(gen)) return;
      this.silentAfterMs = this.config.silentAfter ?? 3 * subscription.publishingInterval * subscription.maxKeepAliveCount;
      this.lastActivity = this.ctx.clock.monotonic();
      this.startWatchdog(gen);
      this.stats.connected = true;
      this.stats.consecutiveFailures = 0;
      this.stats.lastSuccess = this.ctx.clock.now();
      this.attempt = 0;
      this.backoff.reset();
      this.lastError = undefined;
      this.ctx.trouble.clear(this.lostKey());
      this.log.info({ endpoint: this.config.endpoint, items: this.points.length, itemsPerCall: this.itemsPerCall, publishingInterval: subscription.publishingInterval }, 'opcua subscribed');
    } catch (err) {
      if (!this.current(gen)) return;
      this.fail(gen, 'connect', err as Error);
    }
  }

  private current(gen: number): boolean {
    return !this.stopped && this.gen === gen;
  }

  /** Monitored items for every point; refused ones are reported and their points marked bad. */
  private async createItems(live: Live, subscription: ClientSubscription): Promise<void> {
    const badNodes: BadNode[] = [];
    const unresolved = live.session ? await resolveBrowsePaths(live.session, this.points) : [];
    for (const { point: p, status } of unresolved) {
      badNodes.push({ device: p.device, point: p.point.name, nodeId: p.browsePath ?? p.nodeId, status });
      this.emit({ device: p.device, point: p.point.name, value: null, ts: this.ctx.clock.now(), quality: 'bad', reason: `cannot resolve browse path ${p.browsePath ?? ''}: ${status}` });
    }
    const skip = new Set(unresolved.map((u) => u.point));
    await monitorPoints(live, subscription, this.points.filter((p) => !skip.has(p)), this.itemsPerCall, {
      onValue: (p, dv) => this.onValue(live.gen, p, dv),
      onRefused: (p, status) => {
        badNodes.push({ device: p.device, point: p.point.name, nodeId: p.nodeId, status });
        // the point will never be read on this connection: say so instead of leaving it "not yet read"
        this.emit({ device: p.device, point: p.point.name, value: null, ts: this.ctx.clock.now(), quality: 'bad', reason: `cannot monitor ${p.nodeId}: ${status}` });
      },
      onRequest: () => this.stats.requests++,
      current: () => this.current(live.gen),
    });
    if (this.current(live.gen)) this.reportBadNodes(badNodes);
  }

  private reportBadNodes(badNodes: BadNode[]): void {
    this.badNodes = badNodes;
    reportBadNodes(badNodes, { connector: this.id, points: this.points, stats: this.stats, log: this.log, trouble: this.ctx.trouble });
  }

  private onValue(gen: number, p: MonitoredPoint, dv: DataValue): void {
    if (this.gen !== gen) return;
    this.activity(gen);
    const read = sampleOf(p, dv, this.ctx.clock.now(), this.ctx.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW);
    let sample = read.sample;
    if (read.misfit) {
      this.stats.error('bad_value');
      this.warnings.warn(`${p.device}:${p.point.name}`, { device: p.device, point: p.point.name, nodeId: p.nodeId, reason: sample.reason }, 'opcua value does not fit its point; point marked bad');
    }
    if (read.future) this.stats.error('future_timestamp');
    if (sample.quality === 'good') this.comms.heard(p.device);
    // After an outage the server re-sends unchanged values with their old source timestamps; a
    // sample older than our "bad" mark would be ignored downstream and leave the point bad.
    const badAt = this.markedBadAt.get(p);
    if (badAt !== undefined) {
      this.markedBadAt.delete(p);
      if (sample.ts <= badAt) sample = { ...sample, ts: badAt + 1 };
    }
    this.emit(sample);
  }

  /** Samples of one publish response arrive as synchronous events; hand them on as one batch. */
  private emit(sample: Sample): void {
    this.pending.push(sample);
    this.stats.samples++;
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      const batch = this.pending;
      this.pending = [];
      if (batch.length > 0) this.out?.push(batch);
    });
  }

  private activity(gen: number): void {
    if (this.gen !== gen) return;
    this.lastActivity = this.ctx.clock.monotonic();
    this.stats.lastSuccess = this.ctx.clock.now();
    if (this.silent) {
      this.silent = false;
      this.ctx.trouble.clear(this.silentKey());
      this.log.info('opcua subscription is talking again');
    }
  }

  private startWatchdog(gen: number): void {
    this.watchdog?.cancel();
    const every = Math.max(100, Math.min(1_000, Math.round(this.silentAfterMs / 4)));
    this.watchdog = this.ctx.clock.setInterval(every, () => {
      if (this.gen !== gen) return;
      const quiet = this.ctx.clock.monotonic() - this.lastActivity;
      if (quiet <= this.silentAfterMs) return;
      this.silent = true;
      this.ctx.trouble.raise(
        this.silentKey(),
        this.id,
        `OPC UA subscription on ${this.config.endpoint} silent for ${Math.round(quiet / 1000)} s (no data, no keep-alive); rebuilding the session`,
        this.lifeSafety,
      );
      this.fail(gen, 'silent_subscription', new Error(`no notification or keep-alive for ${Math.round(quiet)} ms`));
    });
  }

  /** node-opcua 'error' events: counted and logged (rate-limited), never thrown. */
  private libraryError(gen: number, err: Error): void {
    this.stats.error('library');
    this.warnings.warn('library', { err: err.message, current: this.gen === gen }, 'opcua client error');
  }

  private lost(gen: number, reason: string): void {
    if (!this.current(gen)) return;
    this.fail(gen, 'connection', new Error(reason));
  }

  /** Tear the current client down and schedule a rebuild; the first report per outage is logged. */
  private fail(gen: number, kind: string, err: Error): void {
    if (!this.current(gen)) return;
    this.gen++; // events of the failed client are ignored from here on
    const wasConnected = this.stats.connected;
    this.stats.connected = false;
    this.stats.consecutiveFailures++;
    this.stats.error(kind);
    this.lastError = `${kind}: ${err.message}`;
    this.watchdog?.cancel();
    this.watchdog = undefined;
    this.conditions.unknown(`comms lost: ${err.message}`);
    if (wasConnected) {
      this.reconnects++;
      this.log.warn({ endpoint: this.config.endpoint, kind, err: err.message }, 'opcua connection lost; rebuilding session and subscription');
      this.markAllBad(err.message);
      this.ctx.trouble.raise(this.lostKey(), this.id, `OPC UA server ${this.config.endpoint} unreachable: ${err.message}`, this.lifeSafety);
    } else {
      this.warnings.warn(`connect:${kind}`, { endpoint: this.config.endpoint, kind, err: err.message, pki: pkiFolder(this.config, this.ctx.dataDir) }, 'opcua connect failed; retrying');
      // Never connected: the points were never read, and nobody can see the devices.
      if (this.attempt === 0) this.markAllBad(`cannot connect to ${this.config.endpoint}: ${err.message}`);
    }
    void this.teardown();
    this.attempt++;
    const delay = this.backoff.next();
    this.retryTimer?.cancel();
    this.retryTimer = this.ctx.clock.setTimer(delay, () => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.connect();
    });
  }

  /** Every point of every device: null / bad / comms lost, at once (the runtime's mark-bad-on-loss). */
  private markAllBad(why: string): void {
    const marks = this.comms.allLost(why);
    // the mark's own time (a second clock read may fall before it and tie the restamped good sample)
    const now = this.ctx.clock.now();
    for (const p of this.points) this.markedBadAt.set(p, this.comms.markedAt(p.device) ?? now);
    for (const s of marks) this.emit(s);
  }

  private async teardown(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    this.watchdog?.cancel();
    this.watchdog = undefined;
    if (live) await closeLive(live, this.ctx.clock);
  }

  private silentKey(): string {
    return `opcua-silent:${this.id}`;
  }

  private lostKey(): string {
    return `opcua-unreachable:${this.id}`;
  }
}
