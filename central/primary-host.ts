/**
 * The Sparkplug primary host application of the operations centre.
 *
 * - STATE: on connect it publishes the retained `spBv1.0/STATE/<hostId>` `{ online: true }`; its
 *   will is the retained `{ online: false }`. Several instances share one host id: an instance that
 *   sees an offline STATE of its host id while it is itself connected publishes online again (newer
 *   timestamp), so one instance dying does not send the fleet quiet while another runs.
 * - Consumes through a shared subscription (`$share/<shareGroup>/spBv1.0/<group>/#`): the
 *   instances split the messages; all state goes to PostgreSQL, nothing is kept in the process.
 *   A QoS 1 message is acknowledged (PUBACK) only after its commit (or its telemetry spool append);
 *   one instance stores the fleet messages in arrival order, telemetry beside them, and a
 *   PostgreSQL outage holds the fleet messages (retrying) instead of dropping what arrives.
 * - NBIRTH → site online (+ open alarms snapshot), NDEATH → site offline (matching bdSeq),
 *   NDATA `Alarm/Transition` and `Work Order/Event` → upserts; DBIRTH/DDATA metrics → the telemetry
 *   spool (durable before the PUBACK, drained into InfluxDB on its own: central-telemetry.ts).
 * - `acknowledge` journals a central acknowledgement in PostgreSQL, then sends it to the site as
 *   an NCMD `Alarm/Acknowledge` (QoS 1), marking it sent after the PUBACK.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { decodePayload, encodePayload, toNumber, type DecodedMetric, type DecodedPayload } from '../gateway/sparkplug/sparkplug-codec.ts';
import { parseState, parseTopic, stateTopic, type ParsedTopic } from '../gateway/sparkplug/sparkplug-topics.ts';
import { NODE_METRIC } from '../gateway/sparkplug/edge-node-contract.ts';
import type { DeviceMessage } from './telemetry-lines.ts';
import type { AlarmTransition, FleetStore, OpenAlarmSnapshot, WorkOrderEvent } from './fleet-store.ts';

/** The Sparkplug message types the centre stores. */
const STORED_TYPES = new Set(['NBIRTH', 'NDEATH', 'NDATA', 'DBIRTH', 'DDATA']);

/**
 * Fleet messages (PostgreSQL) are stored one after the other in arrival order; telemetry (DBIRTH,
 * DDATA: lines with their own timestamps, order-free) at once, so the messages of one turn share a
 * spool commit.
 */
function laneOf(type: string): 'fleet' | 'now' {
  return type === 'DDATA' || type === 'DBIRTH' ? 'now' : 'fleet';
}

/** A message that can never be stored (no bdSeq, a metric that is not the JSON it must be): logged and acknowledged. */
class BadMessage extends Error {}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new BadMessage(`${what} is not JSON`);
  }
}

export interface PrimaryHostOptions {
  readonly hostId: string;
  readonly groups: readonly string[];
  readonly urls: readonly string[];
  readonly shareGroup: string;
  readonly keepaliveS: number;
  readonly connectOptions?: Partial<IClientOptions>;
  readonly store: FleetStore;
  readonly log: Logger;
  /** Where DBIRTH/DDATA metrics go (durable when `accept` returns); without it telemetry is only counted. */
  readonly telemetry?: { accept(msg: DeviceMessage): Promise<void> };
  /** The per-session seq check (session-seq-check.ts): told the seq of every message but NDEATH. */
  readonly seqCheck?: { observe(group: string, site: string, seq: number, birth: boolean, ts: number): void };
  /** Called after each message was stored (tests and the benchmark measure with it). */
  readonly onStored?: (kind: string, site: string, detail: unknown) => void;
}

export class PrimaryHost {
  private readonly o: PrimaryHostOptions;
  private client: MqttClient | undefined;
  private connectedAt = 0;
  private stopped = false;
  private handled = 0;
  private failures = 0;
  /** PUBACKs of fleet messages (NBIRTH, NDEATH, NDATA: PostgreSQL) sent to the broker, each after its commit. */
  private fleetPubacks = 0;
  /** Counts the broker connections: a PUBACK goes only on the connection its message came on. */
  private connection = 0;
  /** The tail of the fleet lane (PostgreSQL, in arrival order). */
  private readonly lanes: { fleet: Promise<void> } = { fleet: Promise.resolve() };
  /** Telemetry metrics decoded from DBIRTH/DDATA. */
  private points = 0;

  constructor(o: PrimaryHostOptions) {
    this.o = o;
  }

  start(): void {
    const o = this.o;
    const url = o.urls[0] as string;
    const offline = (): Buffer => Buffer.from(JSON.stringify({ online: false, timestamp: this.connectedAt || Date.now() }));
    this.connectedAt = Date.now();
    const client = mqtt.connect(url, {
      clientId: `${o.hostId}-${randomUUID().slice(0, 8)}`,
      clean: true,
      keepalive: o.keepaliveS,
      reconnectPeriod: 1_000,
      reconnectOnConnackError: true,
      ...(o.urls.length > 1 ? { servers: o.urls.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port || 1883) })) } : {}),
      ...o.connectOptions,
      will: { topic: stateTopic(o.hostId), payload: offline(), qos: 1, retain: true },
    });
    this.client = client;
    client.on('error', (err) => o.log.warn({ err: err.message }, 'central broker connection error'));
    client.on('connect', () => {
      this.connectedAt = Date.now();
      this.connection++;
      const subs = [stateTopic(o.hostId), ...o.groups.map((g) => `$share/${o.shareGroup}/spBv1.0/${g}/#`)];
      client.subscribe(subs, { qos: 1 }, (err) => {
        if (err) {
          o.log.error({ err: err.message }, 'central cannot subscribe to the fleet');
          return;
        }
        this.publishOnline();
        o.log.info({ hostId: o.hostId, groups: o.groups }, 'primary host online');
      });
    });
    // A message is acknowledged (PUBACK) only after its commit in PostgreSQL or its append to the
    // telemetry spool. Fleet messages (PostgreSQL) are stored in arrival order, telemetry (the
    // spool) at once with group commits (laneOf), so neither store's outage holds up the other.
    // mqtt.js would send the PUBACK when handleMessage calls back and would parse nothing more until then:
    // a long store (PostgreSQL away for 30 s) would stall the keep-alive pings, the client would
    // time out and reconnect, and a clean session loses what the broker had in flight. So the
    // stream is handed on at once (the callback's error skips mqtt.js's PUBACK) and the PUBACK is
    // sent here once the message is stored — on the same connection only; the broker stops sending
    // when its in-flight window of unacknowledged messages is full.
    client.handleMessage = (packet, callback) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const ack = { qos: packet.qos, messageId: packet.messageId, connection: this.connection, fleet: false };
      const m = packet.topic === stateTopic(o.hostId) ? undefined : this.decodeOnArrival(packet.topic, payload);
      let stored: Promise<void>;
      if (!m) {
        if (packet.topic === stateTopic(o.hostId)) this.onState(payload);
        stored = Promise.resolve(); // nothing to store
      } else if (laneOf(m.t.type) === 'now') stored = this.storeMessage(packet.topic, m);
      else {
        ack.fleet = true;
        stored = this.lanes.fleet.then(() => this.storeMessage(packet.topic, m));
        this.lanes.fleet = stored.catch(() => undefined);
      }
      stored.then(
        () => this.sendPuback(ack),
        () => undefined, // only when stopping: left unacknowledged for the broker to deliver again
      );
      if (packet.qos === 1) callback(new Error('acknowledged when stored'));
      else callback();
    };
  }

  private sendPuback(a: { qos: number; messageId: number | undefined; connection: number; fleet: boolean }): void {
    const client = this.client;
    if (a.qos !== 1 || a.messageId === undefined || !client) return;
    if (a.connection !== this.connection || !client.connected) return; // the broker delivers it again
    // mqtt.js has no public call for a deferred PUBACK; _sendPacket is what its own handler calls
    (client as unknown as { _sendPacket(p: { cmd: 'puback'; messageId: number }, cb: () => void): void })._sendPacket({ cmd: 'puback', messageId: a.messageId }, () => undefined);
    if (a.fleet) this.fleetPubacks++;
  }

  stats(): { handled: number; failures: number; telemetryPoints: number; fleetPubacks: number; connections: number; connected: boolean } {
    return { handled: this.handled, failures: this.failures, telemetryPoints: this.points, fleetPubacks: this.fleetPubacks, connections: this.connection, connected: this.client?.connected ?? false };
  }

  /** Journal the acknowledgement, then send it to the site; resolves after the broker's PUBACK. */
  async acknowledge(group: string, site: string, alarmId: string, by: string): Promise<string> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the broker');
    const ackId = randomUUID();
    await this.o.store.journalAck(ackId, site, alarmId, by);
    const payload = encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: NODE_METRIC.alarmAcknowledge, type: 'String', value: JSON.stringify({ alarmId, by, ackId }), timestamp: Date.now() }],
    });
    await client.publishAsync(`spBv1.0/${group}/NCMD/${site}`, payload, { qos: 1 });
    await this.o.store.ackSent(ackId);
    this.o.log.info({ audit: true, site, alarm: alarmId, by, ackId }, 'central acknowledgement sent to the site');
    return ackId;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    if (!c) return;
    // a clean stop says offline itself (a DISCONNECT suppresses the will)
    if (c.connected) await c.publishAsync(stateTopic(this.o.hostId), JSON.stringify({ online: false, timestamp: Date.now() }), { qos: 1, retain: true }).catch(() => undefined);
    await c.endAsync(true).catch(() => undefined);
  }

  private publishOnline(): void {
    this.client?.publish(stateTopic(this.o.hostId), JSON.stringify({ online: true, timestamp: Date.now() }), { qos: 1, retain: true });
  }

  /** The host's own STATE: another instance of this host died; this one is alive, so the host is online. */
  private onState(payload: Buffer): void {
    const s = parseState(payload);
    if (s && !s.online && !this.stopped && this.client?.connected) this.publishOnline();
  }

  /**
   * The Sparkplug payload of a fleet message, its seq told to the seq check on arrival (in the
   * broker's order, before any store reorders it); undefined for a message not to store.
   */
  private decodeOnArrival(topic: string, payload: Buffer): { t: ParsedTopic; decoded: DecodedPayload } | undefined {
    const t = parseTopic(topic);
    if (!t || !this.o.groups.includes(t.group) || !STORED_TYPES.has(t.type)) return undefined;
    let decoded: DecodedPayload;
    try {
      decoded = decodePayload(payload);
    } catch (err) {
      this.failures++;
      this.o.log.warn({ topic, err: (err as Error).message }, 'not a Sparkplug B payload; ignored');
      return undefined;
    }
    const seq = toNumber(decoded.seq);
    if (t.type !== 'NDEATH' && seq !== undefined) this.o.seqCheck?.observe(t.group, t.node, seq, t.type === 'NBIRTH', toNumber(decoded.timestamp) ?? Date.now());
    return { t, decoded };
  }

  private async storeMessage(topic: string, m: { t: ParsedTopic; decoded: DecodedPayload }): Promise<void> {
    const { t, decoded } = m;
    const metrics = decoded.metrics ?? [];
    if (t.type === 'DDATA' || t.type === 'DBIRTH') {
      this.points += metrics.length;
      const telemetry = this.o.telemetry;
      const device = t.device;
      // into the durable spool before the PUBACK; InfluxDB is written from there (central-telemetry.ts)
      if (telemetry && device !== undefined) {
        const msg = { group: t.group, site: t.node, device, timestamp: toNumber(decoded.timestamp) ?? Date.now(), metrics };
        await this.withRetry(topic, 'telemetry spool', () => telemetry.accept(msg));
      }
      return;
    }
    await this.withRetry(topic, 'fleet store', () => this.store(t.group, t.type, t.node, metrics));
  }

  /** NCMD `Node Control/Rebirth` = true to a site (QoS 1; resolves after the broker's PUBACK). */
  async requestRebirth(group: string, site: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the broker');
    const now = Date.now();
    await client.publishAsync(`spBv1.0/${group}/NCMD/${site}`, encodePayload({ timestamp: now, metrics: [{ name: NODE_METRIC.rebirth, type: 'Boolean', value: true, timestamp: now }] }), { qos: 1 });
  }

  /** Run `work`, retrying (1 s, 2 s, ... 10 s) while it fails; rejects only when stopping. */
  private async withRetry(topic: string, what: string, work: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        return;
      } catch (err) {
        this.failures++;
        if (err instanceof BadMessage) {
          this.o.log.warn({ topic, err: err.message }, 'Sparkplug message not stored; acknowledged and dropped');
          return;
        }
        if (this.stopped) throw err;
        const delay = Math.min(10_000, 1_000 * 2 ** Math.min(attempt, 4));
        this.o.log.error({ err: (err as Error).message, topic, retryInMs: delay }, `${what} failed; retrying before acknowledging`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async store(group: string, type: string, site: string, metrics: readonly DecodedMetric[]): Promise<void> {
    const store = this.o.store;
    const now = Date.now();
    if (type === 'NBIRTH' || type === 'NDEATH') {
      const bdSeqMetric = metrics.find((m) => m.name === NODE_METRIC.bdSeq);
      const bdSeq = toNumber(bdSeqMetric?.value);
      if (bdSeq === undefined) throw new BadMessage(`${type} of ${site} without bdSeq`);
      if (type === 'NBIRTH') {
        // the birth's own time orders births that two centre instances store concurrently
        await store.siteBorn(site, group, bdSeq, now, toNumber(bdSeqMetric?.timestamp) ?? now);
        const open = metrics.find((m) => m.name === NODE_METRIC.alarmsOpen)?.value;
        if (typeof open === 'string') await store.openAlarmSnapshot(site, parseJson<OpenAlarmSnapshot[]>(open, NODE_METRIC.alarmsOpen));
        const availability = metrics.find((m) => m.name === NODE_METRIC.availability);
        if (availability) await store.siteAvailability(site, typeof availability.value === 'number' ? availability.value : null, toNumber(availability.timestamp) ?? now);
        const orders = metrics.find((m) => m.name === NODE_METRIC.workOrdersOpen)?.value;
        if (typeof orders === 'string') for (const w of parseJson<WorkOrderEvent[]>(orders, NODE_METRIC.workOrdersOpen)) await store.workOrder(site, w);
      } else {
        await store.siteDied(site, bdSeq, now);
      }
      this.handled++;
      this.o.onStored?.(type, site, { bdSeq });
      return;
    }
    const availability = metrics.find((m) => m.name === NODE_METRIC.availability);
    if (availability) {
      await store.siteAvailability(site, typeof availability.value === 'number' ? availability.value : null, toNumber(availability.timestamp) ?? now);
      this.o.onStored?.('availability', site, availability.value);
    }
    for (const m of metrics) {
      if (typeof m.value !== 'string') continue;
      if (m.name === NODE_METRIC.alarmTransition) {
        const t = parseJson<AlarmTransition>(m.value, NODE_METRIC.alarmTransition);
        await store.alarmTransition(site, t);
        this.o.onStored?.('alarm', site, t);
      } else if (m.name === NODE_METRIC.workOrderEvent) {
        const w = parseJson<WorkOrderEvent>(m.value, NODE_METRIC.workOrderEvent);
        await store.workOrder(site, w);
        this.o.onStored?.('work-order', site, w);
      }
    }
    this.handled++;
  }
}
