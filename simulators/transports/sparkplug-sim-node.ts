/**
 * A vendor's Sparkplug B 3.0 edge node, for tests and the demo: connects with its NDEATH as the will
 * (bdSeq counted per connection), publishes NBIRTH (`bdSeq`, `Node Control/Rebirth`) and a DBIRTH
 * per device naming every metric with an alias, then DDATA carrying aliases only, as compact
 * vendor nodes do. It answers NCMD `Node Control/Rebirth` with a new NBIRTH and DBIRTHs (seq 0,
 * same bdSeq), and can misbehave on purpose: skip seq numbers, announce a DDEATH, or vanish so that
 * the broker publishes its will. Speaks the protocol only, through mqtt.js and `sparkplug-payload`
 * (not the gateway's codec), so it proves the gateway against what another implementation sends.
 */
import mqtt, { type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';

export type SimMetricType = 'Double' | 'Int32' | 'Int64' | 'Boolean' | 'String';

export interface SimMetric {
  readonly name: string;
  readonly type: SimMetricType;
  value: number | boolean | string | null;
}

export interface SparkplugSimOptions {
  readonly url: string;
  readonly groupId: string;
  readonly edgeNodeId: string;
  /** Sparkplug device id → its metrics (the initial values). */
  readonly devices: Readonly<Record<string, readonly SimMetric[]>>;
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
}

interface Codec {
  encodePayload(payload: object): Uint8Array;
  decodePayload(bytes: Uint8Array): { metrics?: Array<{ name?: string; value?: unknown }> };
}
const codec = (sparkplugPayload as unknown as { get(ns: string): Codec }).get('spBv1.0');

interface DeviceState {
  readonly metrics: SimMetric[];
  /** metric name → alias (unique across the node, as the specification asks). */
  readonly aliases: Map<string, number>;
  alive: boolean;
}

export class SparkplugSimNode {
  private readonly options: SparkplugSimOptions;
  private readonly devices = new Map<string, DeviceState>();
  private client: MqttClient | undefined;
  private bdSeq = -1;
  private seq = 0;
  /** NCMD rebirth requests received. */
  rebirthRequests = 0;
  /** NBIRTHs published. */
  births = 0;

  constructor(options: SparkplugSimOptions) {
    this.options = options;
    let alias = 10;
    for (const [id, metrics] of Object.entries(options.devices)) {
      const aliases = new Map<string, number>();
      for (const m of metrics) aliases.set(m.name, alias++);
      this.devices.set(id, { metrics: metrics.map((m) => ({ ...m })), aliases, alive: true });
    }
  }

  private topic(type: string, device?: string): string {
    return `spBv1.0/${this.options.groupId}/${type}/${this.options.edgeNodeId}${device === undefined ? '' : `/${device}`}`;
  }

  /** Connect (with the NDEATH will of a new bdSeq) and publish the births. */
  async start(): Promise<void> {
    this.bdSeq = (this.bdSeq + 1) % 256;
    const will = Buffer.from(codec.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'Int64', value: this.bdSeq }] }));
    const client = await mqtt.connectAsync(this.options.url, {
      clientId: this.options.clientId ?? `sim-sparkplug-${this.options.edgeNodeId}-${process.pid}`,
      clean: true,
      reconnectPeriod: 0,
      will: { topic: this.topic('NDEATH'), payload: will, qos: 1, retain: false },
      ...(this.options.username !== undefined ? { username: this.options.username } : {}),
      ...(this.options.password !== undefined ? { password: this.options.password } : {}),
    });
    this.client = client;
    client.on('message', (_topic, payload) => {
      const cmd = codec.decodePayload(payload);
      if (cmd.metrics?.some((m) => m.name === 'Node Control/Rebirth' && m.value === true)) {
        this.rebirthRequests++;
        void this.publishBirths();
      }
    });
    await client.subscribeAsync(this.topic('NCMD'), { qos: 1 });
    await this.publishBirths();
  }

  private async publish(topic: string, payload: object, qos: 0 | 1 = 0): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error(`sparkplug simulator ${this.options.edgeNodeId} is not connected`);
    await client.publishAsync(topic, Buffer.from(codec.encodePayload(payload)), { qos });
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) % 256;
    return s;
  }

  /** NBIRTH (seq 0) and the DBIRTH of every live device. */
  async publishBirths(): Promise<void> {
    this.seq = 0;
    const now = Date.now();
    await this.publish(this.topic('NBIRTH'), {
      timestamp: now,
      seq: this.nextSeq(),
      metrics: [
        { name: 'bdSeq', type: 'Int64', value: this.bdSeq, timestamp: now },
        { name: 'Node Control/Rebirth', alias: 1, type: 'Boolean', value: false, timestamp: now },
      ],
    });
    this.births++;
    for (const [id, d] of this.devices) if (d.alive) await this.publishDeviceBirth(id, d);
  }

  private async publishDeviceBirth(id: string, d: DeviceState): Promise<void> {
    const now = Date.now();
    const metrics = d.metrics.map((m) => ({ name: m.name, alias: d.aliases.get(m.name), type: m.type, value: m.value, timestamp: now, ...(m.value === null ? { isNull: true } : {}) }));
    await this.publish(this.topic('DBIRTH', id), { timestamp: now, seq: this.nextSeq(), metrics });
  }

  /** Change one metric and publish it as DDATA (by alias only). */
  async set(device: string, name: string, value: number | boolean | string | null): Promise<void> {
    const d = this.deviceOf(device);
    const m = d.metrics.find((x) => x.name === name);
    if (!m) throw new Error(`sparkplug simulator: device ${device} has no metric "${name}"`);
    m.value = value;
    const now = Date.now();
    await this.publish(this.topic('DDATA', device), {
      timestamp: now,
      seq: this.nextSeq(),
      metrics: [{ alias: d.aliases.get(name), type: m.type, value, timestamp: now, ...(value === null ? { isNull: true } : {}) }],
    });
  }

  /** Lose `n` seq numbers (as if messages were dropped on the way). */
  skipSeq(n = 1): void {
    this.seq = (this.seq + n) % 256;
  }

  /** DDEATH of one device; it stays dead (no DBIRTH at rebirth) until `deviceBirth`. */
  async deviceDeath(device: string): Promise<void> {
    this.deviceOf(device).alive = false;
    await this.publish(this.topic('DDEATH', device), { timestamp: Date.now(), seq: this.nextSeq() });
  }

  async deviceBirth(device: string): Promise<void> {
    const d = this.deviceOf(device);
    d.alive = true;
    await this.publishDeviceBirth(device, d);
  }

  /** Vanish without a DISCONNECT: the broker publishes the NDEATH will. */
  kill(): void {
    this.client?.stream.destroy();
    this.client?.end(true);
    this.client = undefined;
  }

  /** Publish NDEATH and disconnect (a clean shutdown). */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (client.connected) await this.publish(this.topic('NDEATH'), { timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'Int64', value: this.bdSeq }] }, 1);
    this.client = undefined;
    await client.endAsync();
  }

  private deviceOf(device: string): DeviceState {
    const d = this.devices.get(device);
    if (!d) throw new Error(`sparkplug simulator: no device "${device}" on ${this.options.edgeNodeId}`);
    return d;
  }
}
