/**
 * A fleet of lightweight Sparkplug B edge nodes (no gateway behind them) to drive the operations
 * centre: each site is one MQTT connection with its NDEATH will (bdSeq), an NBIRTH, a DBIRTH per
 * device (five Double points each), DDATA at a set rate of points per second per site, and fire
 * alarms as NDATA `Alarm/Transition` metrics, each stamped with the time it was sent. Payloads are
 * encoded with `sparkplug-payload` directly: the simulator shares no code with the gateway.
 */
import mqtt, { type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';

interface Codec {
  encodePayload(p: object): Uint8Array;
}
const codec = (sparkplugPayload as unknown as { get(ns: string): Codec }).get('spBv1.0');

export interface FleetSimOptions {
  readonly url: string;
  readonly group: string;
  readonly sites: number;
  readonly devices: number;
  /** Points per second each site publishes (DDATA). */
  readonly pointsPerSitePerS: number;
  /** A fire alarm at a random site every this many ms (0: none). */
  readonly alarmEveryMs: number;
  /** Site ids: `<prefix><n>`. */
  readonly sitePrefix?: string;
  readonly random?: () => number;
}

export interface FleetSimStats {
  readonly connected: number;
  readonly messages: number;
  readonly points: number;
  readonly alarms: number;
}

const POINTS = ['discharge_bar', 'suction_bar', 'motor_temp_c', 'vibration_mm_s', 'current_a'];

interface SimSite {
  readonly id: string;
  readonly client: MqttClient;
  seq: number;
  journalSeq: number;
  device: number;
}

export class FleetSim {
  private readonly o: FleetSimOptions;
  private readonly sites: SimSite[] = [];
  private timers: NodeJS.Timeout[] = [];
  private messages = 0;
  private points = 0;
  private alarms = 0;
  private readonly random: () => number;

  constructor(o: FleetSimOptions) {
    this.o = o;
    this.random = o.random ?? Math.random;
  }

  private topic(type: string, site: string, device?: string): string {
    return `spBv1.0/${this.o.group}/${type}/${site}${device === undefined ? '' : `/${device}`}`;
  }

  private encode(site: SimSite | undefined, metrics: object[]): Buffer {
    const seq = site ? site.seq : undefined;
    if (site) site.seq = (site.seq + 1) % 256;
    return Buffer.from(codec.encodePayload({ timestamp: Date.now(), ...(seq === undefined ? {} : { seq }), metrics }));
  }

  /** Connect every site and publish its births; resolves when all are born. */
  async start(): Promise<void> {
    const prefix = this.o.sitePrefix ?? 'sim-';
    const batch = 50;
    for (let first = 0; first < this.o.sites; first += batch) {
      const ids = Array.from({ length: Math.min(batch, this.o.sites - first) }, (_, i) => `${prefix}${first + i + 1}`);
      await Promise.all(ids.map((id) => this.startSite(id)));
    }
    const tickMs = 200;
    this.timers.push(setInterval(() => this.tick(tickMs), tickMs));
    if (this.o.alarmEveryMs > 0) this.timers.push(setInterval(() => this.alarm(), this.o.alarmEveryMs));
  }

  private async startSite(id: string): Promise<void> {
    const bdSeq = 0;
    const will = this.encode(undefined, [{ name: 'bdSeq', type: 'Int64', value: bdSeq }]);
    const client = await mqtt.connectAsync(this.o.url, {
      clientId: `fleet-sim-${this.o.group}-${id}`,
      clean: true,
      reconnectPeriod: 0,
      keepalive: 30,
      will: { topic: this.topic('NDEATH', id), payload: will, qos: 1, retain: false },
    });
    const site: SimSite = { id, client, seq: 0, journalSeq: 0, device: 0 };
    this.sites.push(site);
    const now = Date.now();
    client.publish(
      this.topic('NBIRTH', id),
      this.encode(site, [
        { name: 'bdSeq', type: 'Int64', value: bdSeq, timestamp: now },
        { name: 'Node Control/Rebirth', type: 'Boolean', value: false, timestamp: now },
        { name: 'Alarm/Transition', type: 'String', value: null, timestamp: now },
        { name: 'Alarms/Open', type: 'String', value: '[]', timestamp: now },
      ]),
      { qos: 0 },
    );
    for (let d = 1; d <= this.o.devices; d++) {
      client.publish(this.topic('DBIRTH', id, `pump-${d}`), this.encode(site, POINTS.map((name) => ({ name, type: 'Double', value: 0, timestamp: now, properties: { Quality: { type: 'Int32', value: 192 } } }))), { qos: 0 });
    }
    this.messages += 1 + this.o.devices;
  }

  private tick(tickMs: number): void {
    const per = (this.o.pointsPerSitePerS * tickMs) / 1000;
    for (const site of this.sites) {
      // whole points this tick, the fraction carried by chance
      let n = Math.floor(per) + (this.random() < per - Math.floor(per) ? 1 : 0);
      while (n > 0) {
        const k = Math.min(n, POINTS.length);
        site.device = (site.device % this.o.devices) + 1;
        const now = Date.now();
        const metrics = POINTS.slice(0, k).map((name) => ({ name, type: 'Double', value: Math.round(this.random() * 1000) / 10, timestamp: now }));
        site.client.publish(this.topic('DDATA', site.id, `pump-${site.device}`), this.encode(site, metrics), { qos: 1 });
        this.messages++;
        this.points += k;
        n -= k;
      }
    }
  }

  private alarm(): void {
    const site = this.sites[Math.floor(this.random() * this.sites.length)];
    if (!site) return;
    const seq = ++site.journalSeq;
    const at = Date.now();
    const value = JSON.stringify({
      id: `${site.id}:alarm-journal:${seq}`,
      seq,
      alarmId: `${site.id}-alarm-${seq}`,
      type: 'raised',
      fromState: 'normal',
      toState: 'active-unack',
      at,
      by: null,
      text: null,
      rule: 'fire.zone-fire/zone_1_state',
      title: 'Fire zone 1 in fire',
      device: 'fire-panel-1',
      kind: 'fire_panel',
      building: 'b1',
      floor: 'F1',
      priority: 1,
      lifeSafety: true,
    });
    site.client.publish(this.topic('NDATA', site.id), this.encode(site, [{ name: 'Alarm/Transition', type: 'String', value, timestamp: at }]), { qos: 1 });
    this.messages++;
    this.alarms++;
  }

  stats(): FleetSimStats {
    return { connected: this.sites.filter((s) => s.client.connected).length, messages: this.messages, points: this.points, alarms: this.alarms };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all(this.sites.map((s) => s.client.endAsync().catch(() => undefined)));
  }
}
