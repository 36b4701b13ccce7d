/**
 * MQTT connector (mqtt.js): subscribes to the topics of its bound devices and to its route patterns,
 * decodes JSON payloads and maps their fields to canonical points. A device is reached by its own
 * `binding.topic` or, failing that, by a connector route whose `{device}` segment names it.
 * Bad payloads are counted per topic and logged with rate limiting; on life-safety devices or
 * `lifeSafetyTopics` they raise a gateway trouble condition instead of vanishing.
 *
 * An outside broker is read through one connection (mqtt-link.ts), or two: with
 * `lifeSafetyConnection` (default), the topics of devices with life-safety points have a client id
 * of their own (life-safety-lane.ts), so their messages never queue in the broker behind telemetry;
 * a message both connections receive is delivered once (cross-link-dedupe.ts).
 * While a connection is down, the devices it carries are marked comms lost, and fire panels and
 * smoke detectors raise `comms-lost:<device>` naming the reason (e.g. "Connection refused: Not
 * authorized"); a device's next readable message ends it.
 * A binding that cannot work is refused with a trouble (never a thrown constructor).
 */
import type { Logger } from 'pino';
import { LIFE_SAFETY_KINDS, pointsOfDevice, type PointDef } from '../../model/device-kinds.ts';
import type { Sample, SampleSink } from '../../model/sample.ts';
import type { BrokerIngestPort } from '../../broker/broker-ingest.ts';
import { IngestBatcher } from './ingest-batcher.ts';
import { CrossLinkDedupe, type LinkName } from './cross-link-dedupe.ts';
import { planLifeSafetyLane, type LaneCandidate, type LanePlan } from './life-safety-lane.ts';
import { mqttClientOptions } from './mqtt-client-options.ts';
import { MqttLink, type LinkSpec } from './mqtt-link.ts';
import { RateLimitedLog } from '../../log/rate-limited-log.ts';
import { ConnectorStats, type ConnectionHealth, type Connector, type ConnectorContext } from '../connector.ts';
import { CommsLoss } from '../runtime/comms-loss.ts';
import { RefusedBindings } from '../runtime/refused-bindings.ts';
import { ThroughputMeter } from '../throughput-meter.ts';
import { checkMqttBinding } from './mqtt-binding-check.ts';
import type { MqttConnectorConfig, PayloadMapping } from './mqtt-schema.ts';
import { decodeJsonPayload, decodeValuePayload } from './payload-decode.ts';
import { mapPayload } from './payload-mapping.ts';
import { topicMatches } from './topic-match.ts';
import { compilePattern } from './topic-pattern.ts';
import { TopicRoutes, type Route } from './topic-routes.ts';

type Decoded = ReturnType<typeof decodeJsonPayload>;

/** Distinct topics whose bad-payload counts are kept (the rest are summed under `(other)`). */
const MAX_COUNTED_TOPICS = 1_000;

export class MqttConnector implements Connector {
  readonly id: string;
  private readonly config: MqttConnectorConfig;
  private readonly ctx: ConnectorContext;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly stats = new ConnectorStats();
  private readonly meter: ThroughputMeter;
  private readonly routes: TopicRoutes;
  private readonly badByTopic = new Map<string, number>();
  /** Payload fields rejected (wrong type), by `device.point`. */
  private readonly rejectedFields = new Map<string, number>();
  private readonly refused: RefusedBindings;
  private readonly comms: CommsLoss;
  private readonly maxClockSkew: number | undefined;
  /** Devices and filters of the life-safety connection (none: one connection carries everything). */
  private readonly lane: LanePlan;
  private readonly dedupe = new CrossLinkDedupe();
  private links: MqttLink[] = [];
  private out: SampleSink | undefined;
  private detach: (() => void) | undefined;

  constructor(config: MqttConnectorConfig, ctx: ConnectorContext) {
    this.id = config.id;
    this.config = config;
    this.ctx = ctx;
    this.log = ctx.log;
    this.warnings = new RateLimitedLog(ctx.log, ctx.clock);
    this.meter = new ThroughputMeter(ctx.clock, () => this.stats);
    this.refused = new RefusedBindings(config.id, ctx.trouble, ctx.log);
    this.comms = new CommsLoss({ connector: config.id, devices: [], clock: ctx.clock, trouble: ctx.trouble });
    this.maxClockSkew = ctx.maxClockSkew;
    this.routes = new TopicRoutes(config.mappings, (topic, p) => {
      this.count(topic, p.kind);
      this.warnings.warn(p.key, p.fields, p.message);
    });
    config.routes.forEach((r, i) => {
      if (r.mapping !== undefined && !config.mappings[r.mapping]) {
        this.refused.refusePart(`routes[${i}]`, `routes[${i}].mapping: "${r.mapping}" is not among the connector's mappings (${Object.keys(config.mappings).join(', ') || 'none defined'}); route "${r.pattern}" not used`);
        return;
      }
      this.routes.addPattern(compilePattern(r.pattern), r.mapping);
    });
    const laneCandidates: LaneCandidate[] = [];
    for (const bound of ctx.devices) {
      const checked = checkMqttBinding(config, bound.info, bound.binding);
      if (!checked.ok) {
        this.refused.refuse(bound.info, checked.problems.map((p) => `${p.path}: ${p.message}`));
        continue;
      }
      const binding = checked.binding;
      const mapping = binding.mapping === undefined ? undefined : config.mappings[binding.mapping];
      const points = pointsOfDevice(bound.info);
      this.routes.addTarget({ info: bound.info, points, mapping: binding.mapping }, binding.topic);
      this.comms.watch({ id: bound.info.id, kind: bound.info.kind, points: watchedPoints(points, mapping) });
      if (binding.topic !== undefined) laneCandidates.push({ device: bound.info.id, kind: bound.info.kind, points, topic: binding.topic });
    }
    const separate = config.lifeSafetyConnection && config.url !== 'embedded';
    this.lane = separate ? planLifeSafetyLane(laneCandidates) : { filters: [], devices: new Set() };
  }

  async start(out: SampleSink): Promise<void> {
    const embedded = this.config.url === 'embedded';
    const url = embedded ? (this.ctx.embeddedBroker?.internalUrl ?? this.ctx.embeddedBrokerUrl) : this.config.url;
    if (!url) throw new Error(`connector ${this.id}: url "embedded" but no embedded broker is running`);
    this.meter.start();
    if (this.config.url === 'embedded' && this.ctx.embeddedIngest) {
      this.startInBroker(this.ctx.embeddedIngest, new IngestBatcher(out), url);
      return;
    }
    const filters = this.routes.filters();
    const laneFilters = new Set(this.lane.filters);
    const mainFilters = filters.filter((f) => !laneFilters.has(f));
    this.out = out;
    const options = mqttClientOptions(this.config, this.ctx.embeddedBroker, embedded);
    const spec = { url, qos: this.config.qos, backoff: { min: this.config.reconnectMin, max: this.config.reconnectMax } };
    const specs: LinkSpec[] = [{ ...spec, name: 'main', options, filters: mainFilters, drop: this.lane.filters }];
    if (this.lane.filters.length > 0) {
      specs.push({ ...spec, name: 'life-safety', options: { ...options, clientId: `${String(options.clientId)}-life-safety` }, filters: this.lane.filters, drop: [] });
    }
    this.links = specs.map((linkSpec) => {
      const name = linkSpec.name as LinkName;
      return new MqttLink(linkSpec, { clock: this.ctx.clock, log: this.log, warnings: this.warnings, stats: this.stats, ...(this.ctx.random ? { random: this.ctx.random } : {}) }, {
        map: (topic, payload) => this.mapSafely(topic, payload, name),
        lost: (why) => this.linkLost(name, why),
        storeFailed: (err, messages) => this.storeFailed(undefined, err, () => {}, messages),
      });
    });
    await Promise.all(this.links.map((link) => link.start(out)));
  }

  /** The devices a connection carries are lost with it. */
  private linkLost(link: LinkName, why: string): void {
    const lane = link === 'life-safety';
    for (const id of this.routes.deviceIds()) {
      if (this.lane.devices.has(id) === lane) this.comms.lost(id, why, this.out);
    }
  }

  /** Ingest straight from the embedded broker's publish hook (see gateway/broker/broker-ingest.ts). */
  private startInBroker(port: BrokerIngestPort, batcher: IngestBatcher, url: string): void {
    const waitForCommit = this.config.qos >= 1;
    this.detach = port.attach((topic, payload, qos) => {
      const samples = this.mapSafely(topic, payload);
      if (samples.length === 0) return undefined;
      if (qos === 0 || !waitForCommit) {
        batcher.add(samples);
        return undefined;
      }
      return batcher.addDurable(samples).catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        this.storeFailed(topic, e, () => {});
        throw e;
      });
    });
    this.stats.connected = true;
    this.log.info({ url, inBroker: true }, 'mqtt ingesting from the embedded broker');
  }

  /** `topic`: of the one message (embedded broker); a failed batch of an external broker names its size. */
  private storeFailed(topic: string | undefined, err: Error, reconnect: () => void, messages = 1): void {
    for (let i = 0; i < messages; i++) this.stats.error('store_failed');
    this.warnings.warn('store_failed', { ...(topic === undefined ? {} : { topic }), messages, err: err.message }, 'samples not stored: message not acknowledged, the publisher will send it again');
    reconnect();
  }

  private mapSafely(topic: string, payload: Buffer, link: LinkName = 'main'): Sample[] {
    try {
      return this.onMessage(topic, payload, link);
    } catch (err) {
      // A bug here must cost one message, never the connection or the process.
      this.stats.error('internal');
      this.warnings.warn('internal', { topic, err: (err as Error).message }, 'mqtt message handling failed');
      return [];
    }
  }

  async stop(): Promise<void> {
    this.meter.stop();
    this.detach?.();
    this.detach = undefined;
    const links = this.links;
    this.links = [];
    await Promise.all(links.map((link) => link.stop()));
    this.stats.connected = false;
    this.comms.clearAll();
  }

  health(): ConnectionHealth {
    const refused = this.refused.snapshot();
    if (this.links.length > 0) this.stats.connected = this.links.every((l) => l.connected);
    const [main, lane] = this.links;
    return this.stats.snapshot(this.id, 'mqtt', {
      ...this.meter.rates(),
      badPayloadsByTopic: Object.fromEntries(this.badByTopic),
      rejectedFields: Object.fromEntries(this.rejectedFields),
      ...(main?.lastError !== undefined ? { lastError: main.lastError } : {}),
      ...(lane
        ? {
            lifeSafetyConnection: {
              clientId: lane.spec.options.clientId,
              connected: lane.connected,
              topics: lane.spec.filters.length,
              devices: this.lane.devices.size,
              duplicatesDropped: this.dedupe.consumed,
              ...(lane.lastError !== undefined ? { lastError: lane.lastError } : {}),
            },
          }
        : {}),
      ...(refused ? { rejectedBindings: refused } : {}),
    });
  }

  /**
   * The routes one connection delivers: the life-safety one its devices' routes, the main one the
   * others', and a life-safety device's too unless the life-safety connection delivered that
   * message already (a wildcard of the main connection covers the topic, or its session queued the
   * message before the life-safety connection existed).
   */
  private routesOfLink(topic: string, payload: Buffer, link: LinkName, now: number): readonly Route[] {
    const routes = this.routes.routesFor(topic);
    if (link === 'life-safety') {
      const onLane = routes.filter(this.onLane);
      return onLane.length > 0 && this.dedupe.admit(link, topic, payload, now) ? onLane : [];
    }
    // per telemetry message: no array unless a life-safety device is among the routes
    if (!routes.some(this.onLane) || this.dedupe.admit(link, topic, payload, now)) return routes;
    return routes.filter((r) => !this.onLane(r));
  }

  private readonly onLane = (r: Route): boolean => this.lane.devices.has(r.device);

  /** Map one message to samples (problems counted and reported here). */
  private onMessage(topic: string, payload: Buffer, link: LinkName): Sample[] {
    const arrival = this.ctx.clock.now();
    this.stats.requests++;
    const routes = this.lane.devices.size === 0 ? this.routes.routesFor(topic) : this.routesOfLink(topic, payload, link, arrival);
    const lifeSafetyTopic = link === 'main' && this.config.lifeSafetyTopics.length > 0 && this.config.lifeSafetyTopics.some((f) => topicMatches(f, topic));
    if (routes.length === 0 && !lifeSafetyTopic) return [];
    // each route's mapping says how its payload is read (JSON object or one plain value); each
    // format is decoded at most once per message
    let asJson: Decoded | undefined;
    let asValue: Decoded | undefined;
    const max = this.config.maxPayloadBytes;
    const decode = (r: Route | undefined): Decoded =>
      r?.mapping?.format === 'value' ? (asValue ??= decodeValuePayload(payload, max)) : (asJson ??= decodeJsonPayload(payload, max));
    let readable: readonly Route[] = routes;
    let failed: Decoded | undefined;
    if (routes.length === 0) failed = decode(undefined);
    else if (routes.length === 1) {
      const only = decode(routes[0]);
      if (!only.ok) [readable, failed] = [[], only];
    } else {
      readable = routes.filter((r) => decode(r).ok);
      failed = routes.map((r) => decode(r)).find((d) => !d.ok);
    }
    if (failed && !failed.ok) {
      this.badPayload(topic, routes.filter((r) => !readable.includes(r)), failed.kind, failed.reason, lifeSafetyTopic);
      if (readable.length === 0) return [];
    }
    const out: Sample[] = [];
    if (lifeSafetyTopic) this.ctx.trouble.clear(topicTroubleKey(topic));
    for (const route of readable) {
      const decoded = decode(route);
      if (!decoded.ok) continue;
      const result = mapPayload(decoded.value, route.device, route.points, route.mapping, arrival, this.maxClockSkew);
      const { samples, problems, rejected } = result;
      const good = samples.length - rejected.length;
      if (result.clampedFuture) this.stats.error('future_timestamp');
      for (const r of rejected) this.countRejectedField(route.device, r.point);
      if (problems.length > 0) {
        this.badPayload(topic, [route], good === 0 ? 'unmapped_payload' : 'bad_field', problems.join('; '), lifeSafetyTopic, rejected.length > 0 || good === 0);
      }
      if (samples.length === 0) continue;
      this.stats.samples += samples.length;
      if (good > 0) {
        this.stats.lastSuccess = arrival;
        this.comms.heard(route.device);
      }
      // One readable field does not make a life-safety device readable: only a payload with nothing rejected does.
      if (LIFE_SAFETY_KINDS.has(route.kind) && rejected.length === 0 && good > 0) this.ctx.trouble.clear(troubleKey(route.device));
      for (const sample of samples) out.push(sample);
    }
    return out;
  }

  private count(topic: string, kind: string): void {
    this.stats.error(kind);
    const key = this.badByTopic.has(topic) || this.badByTopic.size < MAX_COUNTED_TOPICS ? topic : '(other)';
    this.badByTopic.set(key, (this.badByTopic.get(key) ?? 0) + 1);
  }

  /** Payload fields of the wrong type, counted per device point (bounded like the topic counts). */
  private countRejectedField(device: string, point: string): void {
    this.stats.error('rejected_field');
    const key = `${device}.${point}`;
    const slot = this.rejectedFields.has(key) || this.rejectedFields.size < MAX_COUNTED_TOPICS ? key : '(other)';
    this.rejectedFields.set(slot, (this.rejectedFields.get(slot) ?? 0) + 1);
  }

  private badPayload(topic: string, routes: readonly Route[], kind: string, reason: string, lifeSafetyTopic: boolean, unreadable = true): void {
    this.count(topic, kind);
    this.warnings.warn(`${topic}:${kind}`, { topic, kind, reason, devices: routes.map((r) => r.device) }, 'bad mqtt payload dropped');
    if (!unreadable) return; // only the timestamp was off: every field went through
    let raised = false;
    for (const route of routes) {
      if (!LIFE_SAFETY_KINDS.has(route.kind)) continue;
      raised = true;
      this.ctx.trouble.raise(troubleKey(route.device), this.id, `unreadable payload from life-safety device ${route.device} on ${topic}: ${reason}`, true);
    }
    if (lifeSafetyTopic && !raised) {
      this.ctx.trouble.raise(topicTroubleKey(topic), this.id, `unreadable payload on life-safety topic ${topic}: ${reason}`, true);
    }
  }
}

function troubleKey(device: string): string {
  return `mqtt-unreadable:${device}`;
}

function topicTroubleKey(topic: string): string {
  return `mqtt-unreadable-topic:${topic}`;
}

/** The points a device's payloads can carry: the mapped ones, or every point of the kind without a mapping. */
function watchedPoints(points: readonly PointDef[], mapping: PayloadMapping | undefined): string[] {
  return points.filter((p) => mapping === undefined || mapping.points[p.name] !== undefined).map((p) => p.name);
}
