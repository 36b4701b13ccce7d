/**
 * MQTT connector (mqtt.js): subscribes to the topics of its bound devices, decodes JSON payloads and
 * maps their fields to canonical points. Bad payloads are counted per topic and logged with rate
 * limiting; on life-safety devices they raise a gateway trouble condition instead of vanishing.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { pointsOf, type DeviceKind, type PointDef } from '../../model/device-kinds.ts';
import type { SampleSink } from '../../model/sample.ts';
import { RateLimitedLog } from '../../log/rate-limited-log.ts';
import { ConnectorStats, type ConnectionHealth, type Connector, type ConnectorContext } from '../connector.ts';
import { mqttBindingSchema, type MqttConnectorConfig, type PayloadMapping } from './mqtt-schema.ts';
import { decodeJsonPayload } from './payload-decode.ts';
import { mapPayload } from './payload-mapping.ts';
import { hasWildcard, topicMatches } from './topic-match.ts';

const LIFE_SAFETY_KINDS: ReadonlySet<DeviceKind> = new Set(['fire_panel', 'smoke_detector']);
const MAX_PAYLOAD_BYTES = 64 * 1024;

interface Route {
  readonly filter: string;
  readonly device: string;
  readonly kind: DeviceKind;
  readonly points: readonly PointDef[];
  readonly mapping: PayloadMapping | undefined;
}

export class MqttConnector implements Connector {
  readonly id: string;
  private readonly config: MqttConnectorConfig;
  private readonly ctx: ConnectorContext;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly stats = new ConnectorStats();
  private readonly exact = new Map<string, Route[]>();
  private readonly wildcard: Route[] = [];
  private readonly badByTopic = new Map<string, number>();
  private client: MqttClient | undefined;

  constructor(config: MqttConnectorConfig, ctx: ConnectorContext) {
    this.id = config.id;
    this.config = config;
    this.ctx = ctx;
    this.log = ctx.log;
    this.warnings = new RateLimitedLog(ctx.log, ctx.clock);
    for (const bound of ctx.devices) {
      const binding = mqttBindingSchema.parse(bound.binding);
      const mapping = binding.mapping === undefined ? undefined : config.mappings[binding.mapping];
      if (binding.mapping !== undefined && !mapping) {
        throw new Error(`device ${bound.info.id}: mapping "${binding.mapping}" is not defined on connector ${config.id}`);
      }
      const zones = bound.info.zones;
      const route: Route = {
        filter: binding.topic,
        device: bound.info.id,
        kind: bound.info.kind,
        points: pointsOf(bound.info.kind, zones === undefined ? {} : { zones }),
        mapping,
      };
      if (hasWildcard(binding.topic)) this.wildcard.push(route);
      else this.exact.set(binding.topic, [...(this.exact.get(binding.topic) ?? []), route]);
    }
  }

  async start(out: SampleSink): Promise<void> {
    const url = this.config.url === 'embedded' ? this.ctx.embeddedBrokerUrl : this.config.url;
    if (!url) throw new Error(`connector ${this.id}: url "embedded" but no embedded broker is running`);
    const filters = [...new Set([...this.exact.keys(), ...this.wildcard.map((r) => r.filter)])];
    const client = mqtt.connect(url, {
      clientId: this.config.clientId ?? `facility-gateway-${this.id}`,
      clean: this.config.clean,
      reconnectPeriod: 1_000,
      connectTimeout: 10_000,
      ...(this.config.username !== undefined ? { username: this.config.username } : {}),
      ...(this.config.password !== undefined ? { password: this.config.password } : {}),
    });
    this.client = client;
    client.on('connect', (ack) => {
      this.stats.connected = true;
      this.stats.consecutiveFailures = 0;
      this.log.info({ url, sessionPresent: ack.sessionPresent, topics: filters.length }, 'mqtt connected');
      if (filters.length === 0) return;
      client.subscribe(filters.map((f) => ({ topic: f, qos: this.config.qos })).reduce<Record<string, { qos: 0 | 1 }>>((acc, s) => {
        acc[s.topic] = { qos: s.qos };
        return acc;
      }, {}), (err) => {
        if (err) {
          this.stats.error('subscribe');
          this.log.error({ err }, 'mqtt subscribe failed');
        }
      });
    });
    client.on('close', () => {
      if (this.stats.connected) this.log.warn({ url }, 'mqtt connection closed; reconnecting');
      this.stats.connected = false;
    });
    client.on('error', (err) => {
      this.stats.consecutiveFailures++;
      this.stats.error('connection');
      this.warnings.warn('connection', { url, err: err.message }, 'mqtt connection error');
    });
    client.on('message', (topic, payload) => this.onMessage(topic, payload, out));
    await new Promise<void>((resolve) => {
      const done = (): void => {
        client.off('connect', done);
        client.off('error', done);
        resolve();
      };
      client.once('connect', done);
      client.once('error', done);
    });
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
    this.stats.connected = false;
  }

  health(): ConnectionHealth {
    return this.stats.snapshot(this.id, 'mqtt', { badPayloadsByTopic: Object.fromEntries(this.badByTopic) });
  }

  private routesFor(topic: string): Route[] {
    const exact = this.exact.get(topic) ?? [];
    if (this.wildcard.length === 0) return exact;
    return [...exact, ...this.wildcard.filter((r) => topicMatches(r.filter, topic))];
  }

  private onMessage(topic: string, payload: Buffer, out: SampleSink): void {
    const arrival = this.ctx.clock.now();
    this.stats.requests++;
    const routes = this.routesFor(topic);
    if (routes.length === 0) return;
    const decoded = decodeJsonPayload(payload, MAX_PAYLOAD_BYTES);
    if (!decoded.ok) {
      this.badPayload(topic, routes, decoded.kind, decoded.reason);
      return;
    }
    for (const route of routes) {
      const { samples, problems } = mapPayload(decoded.value, route.device, route.points, route.mapping, arrival);
      if (problems.length > 0) this.badPayload(topic, [route], samples.length === 0 ? 'unmapped_payload' : 'bad_field', problems.join('; '));
      if (samples.length === 0) continue;
      this.stats.samples += samples.length;
      this.stats.lastSuccess = arrival;
      if (LIFE_SAFETY_KINDS.has(route.kind)) this.ctx.trouble.clear(troubleKey(route.device));
      out.push(samples);
    }
  }

  private badPayload(topic: string, routes: readonly Route[], kind: string, reason: string): void {
    this.stats.error(kind);
    this.badByTopic.set(topic, (this.badByTopic.get(topic) ?? 0) + 1);
    this.warnings.warn(`${topic}:${kind}`, { topic, kind, reason, devices: routes.map((r) => r.device) }, 'bad mqtt payload dropped');
    for (const route of routes) {
      if (!LIFE_SAFETY_KINDS.has(route.kind) || kind === 'bad_field') continue;
      this.ctx.trouble.raise(
        troubleKey(route.device),
        this.id,
        `unreadable payload from life-safety device ${route.device} on ${topic}: ${reason}`,
        true,
      );
    }
  }
}

function troubleKey(device: string): string {
  return `mqtt-unreadable:${device}`;
}
