/**
 * The gateway as a Sparkplug B 3.0 edge node (gateway/sparkplug/README.md): one MQTT session per
 * CONNECT with its own NDEATH will and bdSeq (so the node owns its reconnect loop), births with
 * every canonical point once the primary host's STATE says online, quiet while it says offline,
 * every later message through the SQLite outbox (urgent lane first, rate-limited, deleted after
 * its PUBACK), seq 0–255 per session, rebirth and central acknowledgement by NCMD.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { backoffDelay } from '../platform/backoff.ts';
import type { Timer } from '../model/clock.ts';
import type { PointDef } from '../model/kinds/kind-descriptor.ts';
import type { Sample } from '../model/sample.ts';
import { NODE_METRIC, type EdgeDevice, type EdgeNodeOptions, type EdgeNodeStatus } from './edge-node-contract.ts';
import { availabilityMessage, centralAck, commandMetrics, journalMessages, journalReplayMessages, nodeBirthMetrics, workOrderMessage, type JournalCursor } from './northbound-messages.ts';
import { encodePayload, toNumber } from './sparkplug-codec.ts';
import { encodableMetric, sampleMetric, type SpMetric } from './sparkplug-metrics.ts';
import { SparkplugOutbox, type OutboxMessage, type QueuedMessage } from './sparkplug-outbox.ts';
import { deviceTopic, nodeTopic, parseState, stateTopic } from './sparkplug-topics.ts';
import { ReportByException } from './report-by-exception.ts';

const MAX_IN_FLIGHT = 32;
const JOURNAL_CURSOR = 'alarm-journal-cursor';

interface Session {
  readonly id: number;
  readonly client: MqttClient;
  readonly bdSeq: number;
  seq: number;
  born: boolean;
  bornAt: number;
  ended: boolean;
  closed: boolean;
}

export class SparkplugEdgeNode {
  readonly nodeId: string;
  readonly groupId: string;
  private readonly o: EdgeNodeOptions;
  private readonly log: Logger;
  private readonly outbox: SparkplugOutbox;
  private readonly rbe: ReportByException;
  private readonly devices = new Map<string, EdgeDevice>();
  private readonly pointDefs = new Map<string, PointDef>();
  private session: Session | undefined;
  private sessions = 0; // sessions opened, for their ids
  private attempt = 0;
  private server = -1;
  private reconnectTimer: Timer | undefined;
  private drainTimer: Timer | undefined;
  private availabilityTimer: Timer | undefined;
  private stopped = false;
  private hostOnline: boolean | null;
  private hostStateTs = -1;
  private readonly inFlight = new Set<number>();
  private tokens: number;
  private tokensAt: number;
  private published = 0;
  private exportQueued = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(o: EdgeNodeOptions) {
    this.o = o;
    this.log = o.log;
    this.nodeId = o.config.edgeNodeId ?? o.siteId;
    this.groupId = o.config.groupId;
    this.outbox = new SparkplugOutbox(join(o.dataDir, 'sparkplug.db'));
    this.rbe = new ReportByException(o.config.deadbands, o.config.defaultDeadband);
    for (const d of o.devices) {
      this.devices.set(d.info.id, d);
      for (const p of d.points) this.pointDefs.set(`${d.info.id}\u0000${p.name}`, p);
    }
    this.hostOnline = o.config.primaryHostId === undefined ? null : false;
    this.tokens = o.config.replayRate;
    this.tokensAt = o.clock.monotonic();
  }

  /** Start exporting and connecting; returns at once (the node connects and retries on its own). */
  start(): void {
    const alarms = this.o.alarms;
    if (alarms) {
      if (this.outbox.getState(JOURNAL_CURSOR) === undefined) {
        // first start: the alarms open now travel in NBIRTH; the journal is exported from here on
        const last = alarms.searchJournal({}, 0, 1).rows[0];
        this.outbox.setState(JOURNAL_CURSOR, JSON.stringify({ seq: last?.seq ?? 0, at: last?.at ?? 0 }));
      }
      this.exportJournal();
      this.unsubscribe.push(alarms.onEvent(() => this.scheduleExport()));
    }
    const orders = this.o.workOrders;
    if (orders) this.unsubscribe.push(orders.onChange((id) => this.workOrderChanged(id)));
    if (this.o.availability) this.availabilityTimer = this.o.clock.setInterval(this.o.availabilityEvery ?? 900_000, () => this.availabilityChanged());
    this.connect();
  }

  private availabilityChanged(): void {
    this.queue([availabilityMessage(this.o.availability, this.o.clock.now(), this.log)], 'the availability');
  }

  /** Queue messages (a row whose id is queued is not queued twice) and publish; logged when the outbox cannot take them. */
  private queue(messages: readonly OutboxMessage[], what: string): void {
    try {
      this.outbox.enqueue(messages);
    } catch (err) {
      this.log.error({ err }, `sparkplug outbox: cannot queue ${what}`);
      return;
    }
    this.drain();
  }

  /**
   * Telemetry from the sample bus: changes beyond the deadband go to the outbox (one DDATA per
   * device per batch), committed before this returns; throws when the outbox cannot take them.
   */
  onSamples(batch: readonly Sample[]): void {
    if (this.stopped) return;
    const byDevice = new Map<string, SpMetric[]>();
    const now = this.o.clock.now();
    for (const s of batch) {
      const def = this.pointDefs.get(`${s.device}\u0000${s.point}`);
      if (!def || !this.rbe.offer(s)) continue;
      let list = byDevice.get(s.device);
      if (!list) byDevice.set(s.device, (list = []));
      list.push(sampleMetric(def, s, now, false));
    }
    if (byDevice.size === 0) return;
    const messages: OutboxMessage[] = [...byDevice].map(([device, metrics]) => ({ id: randomUUID(), lane: 'telemetry', device, metrics, createdAt: now }));
    try {
      this.outbox.enqueue(messages);
    } catch (err) {
      // thrown on: the bus fails the durable push, so the source is not acknowledged
      this.log.error({ err }, 'sparkplug outbox: cannot queue telemetry');
      throw err;
    }
    this.drain();
  }

  status(): EdgeNodeStatus {
    const s = this.session;
    return {
      connected: s !== undefined && !s.ended && s.client.connected,
      born: s?.born ?? false,
      hostOnline: this.hostOnline,
      bdSeq: s?.bdSeq ?? Number(this.outbox.getState('bdSeq') ?? 0),
      outbox: this.outbox.depth(),
      published: this.published,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.drainTimer?.cancel();
    this.availabilityTimer?.cancel();
    for (const u of this.unsubscribe.splice(0)) u();
    const s = this.session;
    this.session = undefined;
    if (s && !s.ended) {
      s.ended = true;
      s.closed = true;
      // NDEATH first (a DISCONNECT suppresses the will); without its PUBACK, drop the link so the will goes
      const said = s.client.connected && (await this.publishDeath(s).then(() => true, () => false));
      await s.client.endAsync(!said).catch(() => undefined);
    }
    this.outbox.close();
  }

  // ---- sessions ---------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    const bdSeq = (Number(this.outbox.getState('bdSeq') ?? -1) + 1) % 256;
    this.outbox.setState('bdSeq', String(bdSeq));
    const c = this.o.config;
    this.server = (this.server + 1) % this.o.urls.length;
    const url = this.o.urls[this.server] as string;
    const client = mqtt.connect(url, {
      clientId: `${this.groupId}-${this.nodeId}-edge`,
      clean: true,
      keepalive: Math.max(1, Math.round(c.keepalive / 1000)),
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...this.o.connectOptions,
      will: { topic: nodeTopic(this.groupId, 'NDEATH', this.nodeId), payload: this.deathPayload(bdSeq), qos: 1, retain: false },
    });
    const session: Session = { id: ++this.sessions, client, bdSeq, seq: 0, born: false, bornAt: 0, ended: false, closed: false };
    this.session = session;
    if (this.o.config.primaryHostId !== undefined) this.hostOnline = false; // until a STATE of this session says otherwise
    client.on('error', (err) => this.log.warn({ err: err.message }, 'sparkplug broker connection error'));
    client.on('connect', () => {
      this.attempt = 0;
      this.log.info({ bdSeq, url }, 'sparkplug edge node connected');
      const topics = [nodeTopic(this.groupId, 'NCMD', this.nodeId)];
      if (c.primaryHostId !== undefined) topics.push(stateTopic(c.primaryHostId));
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err || session.ended) return;
        if (c.primaryHostId === undefined) this.birth(session);
      });
    });
    client.on('message', (topic, payload) => this.onMessage(session, topic, payload));
    client.on('close', () => this.sessionClosed(session));
  }

  private sessionClosed(session: Session): void {
    if (session.closed) return;
    session.closed = true;
    session.ended = true;
    session.born = false;
    this.inFlight.clear();
    session.client.end(true);
    if (this.stopped || this.session !== session) return;
    const delay = backoffDelay(this.attempt++, this.o.config.reconnect, this.o.random ?? Math.random);
    this.log.warn({ retryInMs: delay }, 'sparkplug edge node disconnected; buffering in the outbox');
    this.reconnectTimer = this.o.clock.setTimer(delay, () => this.connect());
  }

  /** Leave the broker on purpose (the primary host went offline): NDEATH, then reconnect and wait for the host. */
  private terminate(session: Session, why: string): void {
    this.log.warn({ why }, 'sparkplug edge node ends its session');
    [session.born, session.ended] = [false, true]; // no birth on it: a STATE online before the close would reuse the dead bdSeq
    this.publishDeath(session)
      .catch(() => undefined)
      .finally(() => session.client.end(false, () => this.sessionClosed(session)));
  }

  private publishDeath(session: Session): Promise<unknown> {
    return session.client.publishAsync(nodeTopic(this.groupId, 'NDEATH', this.nodeId), this.deathPayload(session.bdSeq), { qos: 1 });
  }

  private deathPayload(bdSeq: number): Buffer {
    return encodePayload({ timestamp: this.o.clock.now(), metrics: [{ name: NODE_METRIC.bdSeq, type: 'Int64', value: bdSeq, timestamp: this.o.clock.now() }] });
  }

  private nextSeq(session: Session): number {
    const seq = session.seq;
    session.seq = (session.seq + 1) % 256;
    return seq;
  }

  // ---- births -----------------------------------------------------------------------------

  private birth(session: Session): void {
    if (session.ended || this.stopped) return;
    const now = this.o.clock.now();
    session.seq = 0;
    const nodeMetrics = nodeBirthMetrics(this.o, session.bdSeq, now);
    const client = session.client;
    client.publish(nodeTopic(this.groupId, 'NBIRTH', this.nodeId), this.encode(session, nodeMetrics, false), { qos: 0 });
    for (const d of this.devices.values()) {
      const latest = this.o.latest(d.info.id);
      const metrics = d.points.map((p) => {
        const v = latest[p.name];
        const m = sampleMetric(p, v === undefined ? undefined : { device: d.info.id, point: p.name, ...v }, now, true);
        this.rbe.reported(d.info.id, p.name, v?.value ?? null, m.quality ?? 'uncertain');
        return m;
      });
      client.publish(deviceTopic(this.groupId, 'DBIRTH', this.nodeId, d.info.id), this.encode(session, metrics, false), { qos: 0 });
    }
    session.born = true;
    session.bornAt = now;
    this.log.info({ bdSeq: session.bdSeq, devices: this.devices.size }, 'sparkplug edge node born');
    this.drain();
  }

  private encode(session: Session, metrics: readonly SpMetric[], historical: boolean, uuid?: string): Buffer {
    return encodePayload({
      timestamp: this.o.clock.now(),
      seq: this.nextSeq(session),
      ...(uuid !== undefined ? { uuid } : {}),
      metrics: metrics.map((m) => encodableMetric(historical ? { ...m, historical: true } : m)),
    });
  }

  // ---- commands and host state -------------------------------------------------------------

  private onMessage(session: Session, topic: string, payload: Buffer): void {
    if (session.ended) return;
    const hostId = this.o.config.primaryHostId;
    if (hostId !== undefined && topic === stateTopic(hostId)) {
      const state = parseState(payload);
      if (!state) {
        this.log.warn({ topic }, 'sparkplug STATE message is not { online, timestamp } JSON; ignored');
        return;
      }
      if (state.timestamp < this.hostStateTs) return; // an older STATE than one already seen
      this.hostStateTs = state.timestamp;
      this.hostOnline = state.online;
      if (state.online && !session.born) this.birth(session);
      else if (!state.online && session.born) this.terminate(session, `primary host ${hostId} offline`);
      return;
    }
    if (topic !== nodeTopic(this.groupId, 'NCMD', this.nodeId)) return;
    const metrics = commandMetrics(payload, this.log);
    for (const m of metrics) {
      if (m.name === NODE_METRIC.rebirth && m.value === true) {
        this.log.info('sparkplug rebirth requested');
        if (session.born) this.birth(session);
      } else if (m.name === NODE_METRIC.alarmAcknowledge && typeof m.value === 'string') {
        centralAck(this.o.alarms, m.value, this.log);
      } else if (m.name === NODE_METRIC.journalReplay && toNumber(m.value) !== undefined) {
        this.replayJournal(toNumber(m.value) as number, toNumber(metrics.find((x) => x.name === NODE_METRIC.journalReplayTo)?.value));
      } else if (m.name !== NODE_METRIC.journalReplayTo) {
        this.log.warn({ metric: m.name }, 'sparkplug NCMD metric not understood; ignored');
      }
    }
  }

  // ---- alarm journal and work orders into the outbox ----------------------------------------

  private scheduleExport(): void {
    if (this.exportQueued) return;
    this.exportQueued = true;
    queueMicrotask(() => {
      this.exportQueued = false;
      if (!this.stopped) this.exportJournal();
    });
  }

  /** Journal rows past the cursor → urgent outbox rows, with the cursor moved in the same transaction. */
  private exportJournal(): void {
    const alarms = this.o.alarms;
    if (!alarms) return;
    const cursor = JSON.parse(this.outbox.getState(JOURNAL_CURSOR) ?? '{"seq":0,"at":0}') as JournalCursor;
    const { messages, last } = journalMessages(alarms, this.nodeId, cursor);
    if (messages.length === 0) return;
    try {
      this.outbox.enqueueWithState(messages, JOURNAL_CURSOR, JSON.stringify(last));
    } catch (err) {
      this.log.error({ err }, 'sparkplug outbox: cannot queue alarm transitions (retried on the next alarm event)');
      return;
    }
    this.drain();
  }

  /** NCMD `Alarm/Journal Replay` (`Replay To`): the journal rows from..to (at most the export cursor) into the outbox again. */
  private replayJournal(from: number, to: number | undefined): void {
    const upTo = Math.min(to ?? Infinity, (JSON.parse(this.outbox.getState(JOURNAL_CURSOR) ?? '{"seq":0,"at":0}') as JournalCursor).seq);
    const messages = this.o.alarms ? journalReplayMessages(this.o.alarms, this.nodeId, Math.max(1, Math.floor(from)), upTo) : [];
    this.log.info({ from, upTo, rows: messages.length }, 'sparkplug alarm journal replay requested by the operations centre');
    this.queue(messages, 'the journal replay (the centre asks again)');
  }

  private workOrderChanged(id: number): void {
    const order = this.o.workOrders?.order(id);
    if (order) this.queue([workOrderMessage(order, this.nodeId, this.o.clock.now())], `a work-order event (order ${id})`);
  }

  // ---- publishing the outbox -------------------------------------------------------------

  private drain(): void {
    const session = this.session;
    if (!session || !session.born || session.ended || this.stopped || this.drainTimer) return;
    const rate = this.o.config.replayRate;
    const mono = this.o.clock.monotonic();
    this.tokens = Math.min(rate, this.tokens + ((mono - this.tokensAt) * rate) / 1000);
    this.tokensAt = mono;
    const room = Math.min(MAX_IN_FLIGHT - this.inFlight.size, Math.floor(this.tokens));
    if (room <= 0) {
      if (this.inFlight.size < MAX_IN_FLIGHT) {
        // out of tokens: come back when one is due
        this.drainTimer = this.o.clock.setTimer(Math.ceil(1000 / rate), () => {
          this.drainTimer = undefined;
          this.drain();
        });
      }
      return;
    }
    const rows = this.outbox.next(room, this.inFlight);
    for (const row of rows) {
      this.tokens -= 1;
      this.publishRow(session, row);
    }
  }

  private publishRow(session: Session, row: QueuedMessage): void {
    this.inFlight.add(row.n);
    const topic = row.device === undefined ? nodeTopic(this.groupId, 'NDATA', this.nodeId) : deviceTopic(this.groupId, 'DDATA', this.nodeId, row.device);
    const payload = this.encode(session, row.metrics, row.createdAt < session.bornAt, row.id);
    session.client.publish(topic, payload, { qos: 1 }, (err) => {
      if (this.session !== session || session.ended) return; // a later session sends it again
      this.inFlight.delete(row.n);
      if (err) {
        this.log.warn({ err: err.message, id: row.id }, 'sparkplug publish failed; kept in the outbox');
        return;
      }
      try {
        this.outbox.delivered(row.n);
        this.published++;
      } catch (e) {
        this.log.error({ err: e }, 'sparkplug outbox: cannot mark a message delivered (it will be sent again)');
      }
      this.drain();
    });
  }
}

