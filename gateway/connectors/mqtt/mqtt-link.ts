/**
 * One mqtt.js connection of an MQTT connector to an outside broker: connect, subscribe its filters,
 * PUBACK after commit (mqtt-ack-after-commit.ts), and our own reconnect on the Clock. After a lost
 * connection or a refused CONNACK (`reconnectOnConnackError`) the next attempt waits the runtime's
 * capped jittered backoff; mqtt.js's fixed period is off.
 *
 * A connector has one link for everything, or two: the life-safety link carries the topics of
 * devices with life-safety points under its own client id, so the broker queues their messages
 * apart from the telemetry of the main link (see life-safety-lane.ts).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock, Timer } from '../../model/clock.ts';
import type { Sample, SampleSink } from '../../model/sample.ts';
import type { RateLimitedLog } from '../../log/rate-limited-log.ts';
import type { ConnectorStats } from '../connector.ts';
import { Backoff } from '../runtime/backoff.ts';
import { firstConnectOrError, installAckAfterCommit } from './mqtt-ack-after-commit.ts';

export interface LinkSpec {
  /** `main` or `life-safety` (logs, health). */
  readonly name: string;
  readonly url: string;
  readonly options: IClientOptions;
  readonly filters: readonly string[];
  /**
   * Filters this client id's persistent session may still hold from an earlier configuration and
   * must no longer receive (the main link's, once a life-safety link carries them).
   */
  readonly drop: readonly string[];
  readonly qos: 0 | 1;
  readonly backoff: { readonly min: number; readonly max: number };
}

export interface LinkHooks {
  /** The samples of one message (never throws). */
  map(topic: string, payload: Buffer): Sample[];
  /** The connection closed or could not be made: `why` says which and why. */
  lost(why: string): void;
  /** The batch holding `messages` QoS 1 messages was not stored (the link reconnects so they come again). */
  storeFailed(err: Error, messages: number): void;
}

export class MqttLink {
  readonly spec: LinkSpec;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly warnings: RateLimitedLog;
  private readonly stats: ConnectorStats;
  private readonly hooks: LinkHooks;
  private readonly backoff: Backoff;
  private client: MqttClient | undefined;
  private reconnectTimer: Timer | undefined;
  private stopping = false;
  connected = false;
  lastError: string | undefined;

  constructor(spec: LinkSpec, ctx: { clock: Clock; log: Logger; warnings: RateLimitedLog; stats: ConnectorStats; random?: () => number }, hooks: LinkHooks) {
    this.spec = spec;
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.warnings = ctx.warnings;
    this.stats = ctx.stats;
    this.hooks = hooks;
    this.backoff = new Backoff(spec.backoff, ctx.random ?? Math.random);
  }

  /** Resolves on the first connect or the first error (the link keeps retrying after an error). */
  async start(out: SampleSink): Promise<void> {
    const { url, name, filters } = this.spec;
    this.stopping = false;
    const client = mqtt.connect(url, this.spec.options);
    this.client = client;
    client.on('connect', (ack) => {
      this.connected = true;
      this.stats.consecutiveFailures = 0;
      this.backoff.reset();
      this.lastError = undefined;
      this.log.info({ url, link: name, clientId: this.spec.options.clientId, sessionPresent: ack.sessionPresent, topics: filters.length }, 'mqtt connected');
      if (ack.sessionPresent && this.spec.drop.length > 0) this.unsubscribe(client, this.spec.drop);
      if (filters.length > 0) this.subscribe(client, filters);
    });
    client.on('close', () => {
      const was = this.connected;
      this.connected = false;
      if (this.stopping) return;
      if (was) this.log.warn({ url, link: name }, 'mqtt connection closed; reconnecting');
      this.hooks.lost(was ? `connection to broker ${url} lost` : (this.lastError ?? `broker ${url} unreachable`));
      this.scheduleReconnect(client);
    });
    client.on('error', (err) => {
      this.stats.consecutiveFailures++;
      const refused = 'code' in err && typeof err.code === 'number' && err.message.startsWith('Connection refused');
      this.stats.error(refused ? 'connack_refused' : 'connection');
      this.lastError = err.message;
      this.warnings.warn(`${name}:${refused ? 'connack' : 'connection'}`, { url, link: name, err: err.message }, refused ? 'mqtt broker refused the connection; retrying with backoff' : 'mqtt connection error');
    });
    installAckAfterCommit(client, out, {
      map: this.hooks.map,
      isCurrent: () => this.client === client,
      storeFailed: (err, messages) => {
        this.hooks.storeFailed(err, messages);
        client.stream?.destroy();
      },
    });
    await firstConnectOrError(client);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
    this.connected = false;
  }

  private subscribe(client: MqttClient, filters: readonly string[]): void {
    const wanted: Record<string, { qos: 0 | 1 }> = {};
    for (const f of filters) wanted[f] = { qos: this.spec.qos };
    client.subscribe(wanted, (err, granted) => {
      if (err) {
        this.stats.error('subscribe');
        this.log.error({ err, link: this.spec.name, filters }, 'mqtt subscribe failed (is a broker ACL refusing it?)');
        return;
      }
      for (const g of granted ?? []) {
        if (g.qos === 128) {
          this.stats.error('subscribe_refused');
          this.log.error({ filter: g.topic, link: this.spec.name }, 'mqtt broker refused a subscription (check its ACL)');
        }
      }
    });
  }

  private unsubscribe(client: MqttClient, filters: readonly string[]): void {
    client.unsubscribe([...filters], (err) => {
      if (err) this.log.warn({ err: err.message, link: this.spec.name, filters }, 'mqtt unsubscribe of topics now on the life-safety connection failed; they still come here too (a copy the life-safety connection delivered is dropped)');
    });
  }

  /** Next connection attempt after the runtime's backoff (mqtt.js reconnects on its own no more). */
  private scheduleReconnect(client: MqttClient): void {
    if (this.stopping || this.reconnectTimer || this.client !== client) return;
    const delay = this.backoff.next();
    this.reconnectTimer = this.clock.setTimer(delay, () => {
      this.reconnectTimer = undefined;
      if (this.stopping || this.client !== client) return;
      // keep the stores: a reconnect must not forget messages in flight
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    });
  }
}
