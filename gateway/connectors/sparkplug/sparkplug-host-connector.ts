/**
 * Sparkplug B southbound: the gateway as a Sparkplug host application reading a vendor's edge
 * nodes. One MQTT connection subscribes to `spBv1.0/<groupId>/#`; births name each node's and
 * device's metrics (and their aliases), data messages change them, and each bound gateway device
 * takes its points from the metrics its binding names. NDEATH (of the current session, by bdSeq)
 * and DDEATH mark the bound devices comms lost: every point `null` with quality `bad`. A seq gap, a
 * data message before its birth or an unknown alias asks the node for a rebirth with NCMD
 * `Node Control/Rebirth` (at most once per `rebirthHoldoff`); so does every (re)connect, since births
 * are not retained and a host that joins late knows no aliases. Reconnects use the runtime's backoff.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Timer } from '../../model/clock.ts';
import type { Sample, SampleSink } from '../../model/sample.ts';
import { tlsClientOptions } from '../../platform/tls-client.ts';
import { decodePayload, encodePayload } from '../../sparkplug/sparkplug-codec.ts';
import { nodeTopic, parseTopic } from '../../sparkplug/sparkplug-topics.ts';
import { RateLimitedLog } from '../../log/rate-limited-log.ts';
import { ConnectorStats, type BoundDevice, type ConnectionHealth, type Connector, type ConnectorContext } from '../connector.ts';
import { Backoff } from '../runtime/backoff.ts';
import { DEFAULT_MAX_CLOCK_SKEW } from '../runtime/clock-skew.ts';
import { CommsLoss } from '../runtime/comms-loss.ts';
import { RefusedBindings } from '../runtime/refused-bindings.ts';
import { EdgeNodeSessions, type NamedMetric, type SessionOutcome } from './edge-node-sessions.ts';
import { checkSparkplugBinding, type BoundMetric } from './sparkplug-host-binding-check.ts';
import type { SparkplugHostConnectorConfig } from './sparkplug-host-schema.ts';
import { metricSample } from './sparkplug-metric-value.ts';

interface Target {
  readonly id: string;
  readonly node: string;
  readonly device: string | undefined;
  readonly metrics: readonly BoundMetric[];
}

const keyOf = (node: string, device: string | undefined): string => `${node}/${device ?? ''}`;

export class SparkplugHostConnector implements Connector {
  readonly id: string;
  private readonly config: SparkplugHostConnectorConfig;
  private readonly ctx: ConnectorContext;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly stats = new ConnectorStats();
  private readonly comms: CommsLoss;
  private readonly refused: RefusedBindings;
  private readonly backoff: Backoff;
  private readonly sessions = new EdgeNodeSessions();
  /** Bound gateway devices by `<edge node>/<device>` (`<edge node>/` for node metrics). */
  private readonly targets = new Map<string, Target[]>();
  private readonly nodes = new Set<string>();
  /** When a rebirth was last asked of each node. */
  private readonly rebirthAt = new Map<string, number>();
  private rebirthRequests = 0;
  private seqGaps = 0;
  private client: MqttClient | undefined;
  private out: SampleSink | undefined;
  private reconnectTimer: Timer | undefined;
  private stopping = false;
  private lastError: string | undefined;

  constructor(config: SparkplugHostConnectorConfig, ctx: ConnectorContext) {
    this.id = config.id;
    this.config = config;
    this.ctx = ctx;
    this.log = ctx.log;
    this.warnings = new RateLimitedLog(ctx.log, ctx.clock);
    this.comms = new CommsLoss({ connector: config.id, devices: [], clock: ctx.clock, trouble: ctx.trouble });
    this.refused = new RefusedBindings(config.id, ctx.trouble, ctx.log);
    this.backoff = new Backoff({ min: config.reconnectMin, max: config.reconnectMax }, ctx.random ?? Math.random);
    ctx.devices.forEach((d) => this.bind(d));
  }

  private bind(d: BoundDevice): void {
    const checked = checkSparkplugBinding(d.info, d.binding);
    if (!checked.ok) {
      this.refused.refuse(d.info, checked.problems.map((p) => `${p.path}: ${p.message}`));
      return;
    }
    const { edgeNode, device } = checked.binding;
    const key = keyOf(edgeNode, device);
    this.targets.set(key, [...(this.targets.get(key) ?? []), { id: d.info.id, node: edgeNode, device, metrics: checked.metrics }]);
    this.nodes.add(edgeNode);
    this.comms.watch({ id: d.info.id, kind: d.info.kind, points: checked.metrics.map((m) => m.point) });
  }

  async start(out: SampleSink): Promise<void> {
    this.out = out;
    this.stopping = false;
    const embedded = this.config.url === 'embedded';
    const url = embedded ? (this.ctx.embeddedBroker?.internalUrl ?? this.ctx.embeddedBrokerUrl) : this.config.url;
    if (!url) throw new Error(`connector ${this.id}: url "embedded" but no embedded broker is running`);
    const client = mqtt.connect(url, {
      clientId: this.config.clientId ?? `facility-gateway-${this.id}`,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      log: () => {},
      ...(this.config.username !== undefined ? { username: this.config.username } : {}),
      ...(this.config.password !== undefined ? { password: this.config.password } : {}),
      ...(embedded ? {} : tlsClientOptions(this.config.tls, `connectors.${this.id}`)),
      ...(embedded && this.ctx.embeddedBroker ? this.ctx.embeddedBroker.connectOptions(this.id) : {}),
    });
    this.client = client;
    client.on('connect', () => this.onConnect(client, url));
    client.on('message', (topic, payload) => this.onMessageSafely(topic, payload));
    client.on('error', (err) => {
      this.stats.consecutiveFailures++;
      this.stats.error('connection');
      this.lastError = err.message;
      this.warnings.warn('connection', { url, err: err.message }, 'sparkplug broker connection error');
    });
    client.on('close', () => {
      const was = this.stats.connected;
      this.stats.connected = false;
      if (this.stopping) return;
      this.sessions.clear();
      this.comms.allLost(was ? `connection to broker ${url} lost` : (this.lastError ?? `broker ${url} unreachable`), this.out);
      this.scheduleReconnect(client);
    });
    this.log.info({ url, group: this.config.groupId, nodes: [...this.nodes] }, 'sparkplug host connecting');
  }

  private onConnect(client: MqttClient, url: string): void {
    this.stats.connected = true;
    this.stats.consecutiveFailures = 0;
    this.backoff.reset();
    this.lastError = undefined;
    const filter = `spBv1.0/${this.config.groupId}/#`;
    client.subscribe(filter, { qos: 1 }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128)) {
        this.stats.error('subscribe_refused');
        this.log.error({ filter, err: err?.message }, 'sparkplug subscription refused (check the broker ACL)');
        return;
      }
      this.log.info({ url, filter }, 'sparkplug host subscribed');
      // births are not retained: ask every bound node for one, or its aliases stay unknown
      for (const node of this.nodes) this.requestRebirth(node, 'host connected', true);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
    this.stats.connected = false;
    this.comms.clearAll();
  }

  health(): ConnectionHealth {
    const refused = this.refused.snapshot();
    return this.stats.snapshot(this.id, 'sparkplug', {
      group: this.config.groupId,
      bornNodes: [...this.nodes].filter((n) => this.sessions.isBorn(n)),
      rebirthRequests: this.rebirthRequests,
      seqGaps: this.seqGaps,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
      ...(refused ? { rejectedBindings: refused } : {}),
    });
  }

  private scheduleReconnect(client: MqttClient): void {
    if (this.stopping || this.reconnectTimer || this.client !== client) return;
    this.reconnectTimer = this.ctx.clock.setTimer(this.backoff.next(), () => {
      this.reconnectTimer = undefined;
      if (!this.stopping && this.client === client) client.reconnect();
    });
  }

  private onMessageSafely(topic: string, payload: Buffer): void {
    try {
      this.onMessage(topic, payload);
    } catch (err) {
      // one bad message must cost that message, never the connection
      this.stats.error('bad_payload');
      this.warnings.warn(`bad:${topic}`, { topic, err: (err as Error).message }, 'sparkplug message not readable; dropped');
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t || t.group !== this.config.groupId || !this.nodes.has(t.node)) return;
    if (t.type === 'NCMD' || t.type === 'DCMD') return;
    this.stats.requests++;
    const outcome = this.sessions.accept(t.type, t.node, t.device, decodePayload(payload));
    this.apply(t.node, outcome);
  }

  private apply(node: string, outcome: SessionOutcome): void {
    if (outcome.ignored !== undefined) this.log.debug({ node, why: outcome.ignored }, 'sparkplug message ignored');
    if (outcome.metrics) this.deliver(node, outcome.metrics);
    if (outcome.death) {
      const dead = outcome.death.device === undefined ? [...this.targets.values()].flat().filter((t) => t.node === node) : (this.targets.get(keyOf(node, outcome.death.device)) ?? []);
      for (const t of dead) this.comms.lost(t.id, outcome.death.why, this.out);
      this.log.warn({ node, device: outcome.death.device, devices: dead.map((t) => t.id) }, outcome.death.why);
    }
    if (outcome.rebirth !== undefined) {
      if (outcome.rebirth.startsWith('seq gap')) {
        this.seqGaps++;
        this.stats.error('seq_gap');
      }
      this.requestRebirth(node, outcome.rebirth);
    }
  }

  private deliver(node: string, m: NonNullable<SessionOutcome['metrics']>): void {
    const targets = this.targets.get(keyOf(node, m.device)) ?? [];
    if (targets.length === 0) return;
    if (m.birth) this.rebirthAt.delete(node);
    const arrival = this.ctx.clock.now();
    const byName = new Map<string, NamedMetric>(m.list.map((x) => [x.name, x]));
    const samples: Sample[] = [];
    for (const t of targets) {
      let good = 0;
      for (const b of t.metrics) {
        const metric = byName.get(b.metric.name);
        if (!metric) {
          if (m.birth) samples.push({ device: t.id, point: b.point, value: null, ts: arrival, quality: 'bad', reason: `metric "${b.metric.name}" not in the birth of ${keyOf(node, m.device)}` });
          continue;
        }
        const { sample, clampedFuture } = metricSample(metric, { device: t.id, point: b.point, def: b.def, binding: b.metric, payloadTs: m.ts, arrival, maxClockSkew: this.ctx.maxClockSkew ?? DEFAULT_MAX_CLOCK_SKEW });
        if (clampedFuture) this.stats.error('future_timestamp');
        if (sample.quality === 'good') good++;
        samples.push(sample);
      }
      if (good > 0 || m.birth) this.comms.heard(t.id);
    }
    if (samples.length === 0) return;
    this.stats.samples += samples.length;
    this.stats.lastSuccess = arrival;
    this.out?.push(samples);
  }

  /** NCMD `Node Control/Rebirth` = true, at most once per holdoff unless `force`d (a new connection). */
  private requestRebirth(node: string, why: string, force = false): void {
    const client = this.client;
    if (!client?.connected) return;
    const now = this.ctx.clock.now();
    const last = this.rebirthAt.get(node);
    if (!force && last !== undefined && now - last < this.config.rebirthHoldoff) return;
    this.rebirthAt.set(node, now);
    this.rebirthRequests++;
    const payload = encodePayload({ timestamp: now, metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true, timestamp: now }] });
    client.publish(nodeTopic(this.config.groupId, 'NCMD', node), payload, { qos: 0 });
    this.log.info({ node, why }, 'sparkplug rebirth requested');
  }
}
