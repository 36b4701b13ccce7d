/**
 * BACnet/IP connector (@bacnet-js/client): one UDP socket per connector; each bound device is polled
 * with one ReadPropertyMultiple per interval, and objects marked `cov` are also subscribed
 * (SubscribeCOV, unconfirmed notifications) and renewed at half their lifetime, so a change arrives
 * when it happens rather than at the next poll. Devices behind a BACnet router share its IP address
 * and are told apart by network number and MAC (`binding.network`). With `bbmd` the gateway
 * registers as a foreign device (renewed at half its ttl) so devices on other subnets answer.
 * A device that stops answering is marked comms-lost after `failuresBeforeLost` polls.
 */
import type { Logger } from 'pino';
import type { LatencySnapshot } from '../../metrics/latency-buckets.ts';
import type { Timer } from '../../model/clock.ts';
import type { Sample, SampleSink } from '../../model/sample.ts';
import { ConnectorStats, type BoundDevice, type CommandOutcome, type CommandRequest, type ConnectionHealth, type Connector, type ConnectorContext } from '../connector.ts';
import { sendBacnetCommand } from './bacnet-command.ts';
import { CommsLoss } from '../runtime/comms-loss.ts';
import { RefusedBindings } from '../runtime/refused-bindings.ts';
import { checkBacnetBinding, type BoundObject } from './bacnet-binding-check.ts';
import { addressOf, createBacnetClient, type BacnetClient } from './bacnet-client.ts';
import { BACNET_OBJECT_TYPES, BACNET_PROPERTIES, type BacnetBinding, type BacnetConnectorConfig } from './bacnet-schema.ts';
import { pointValueOf } from './bacnet-value.ts';

interface PolledDevice {
  readonly id: string;
  readonly binding: BacnetBinding;
  readonly points: readonly BoundObject[];
  failures: number;
  timer?: Timer;
  covTimer?: Timer;
}

const propertyId = (o: BoundObject['object']): number => (typeof o.property === 'number' ? o.property : BACNET_PROPERTIES[o.property]);
/** BACNET_ARRAY_ALL: the whole property, not one array element. */
const ARRAY_ALL = 0xffffffff;
const objectKey = (type: number, instance: number): string => `${type}:${instance}`;

export class BacnetConnector implements Connector {
  readonly id: string;
  private readonly config: BacnetConnectorConfig;
  private readonly ctx: ConnectorContext;
  private readonly log: Logger;
  private readonly stats = new ConnectorStats();
  private readonly comms: CommsLoss;
  private readonly refused: RefusedBindings;
  private readonly devices: PolledDevice[] = [];
  /** COV subscriber process id → device (one per device). */
  private readonly byProcess = new Map<number, PolledDevice>();
  private client: BacnetClient | undefined;
  private out: SampleSink | undefined;
  private bbmdTimer: Timer | undefined;
  private covSubscriptions = 0;
  private foreignDevice: 'registered' | 'failed' | undefined;

  constructor(config: BacnetConnectorConfig, ctx: ConnectorContext) {
    this.id = config.id;
    this.config = config;
    this.ctx = ctx;
    this.log = ctx.log;
    this.comms = new CommsLoss({ connector: config.id, devices: [], clock: ctx.clock, trouble: ctx.trouble });
    this.refused = new RefusedBindings(config.id, ctx.trouble, ctx.log);
    ctx.devices.forEach((d) => this.bind(d));
  }

  private bind(d: BoundDevice): void {
    const checked = checkBacnetBinding(d.info, d.binding);
    if (!checked.ok) {
      this.refused.refuse(d.info, checked.problems.map((p) => `${p.path}: ${p.message}`));
      return;
    }
    const device: PolledDevice = { id: d.info.id, binding: checked.binding, points: checked.points, failures: 0 };
    this.devices.push(device);
    this.byProcess.set(this.devices.length, device);
    this.comms.watch({ id: d.info.id, kind: d.info.kind, points: checked.points.map((p) => p.name) });
  }

  async start(out: SampleSink): Promise<void> {
    this.out = out;
    const client = createBacnetClient({ port: this.config.port, interface: this.config.interface, broadcastAddress: this.config.broadcastAddress, apduTimeout: this.config.apduTimeout });
    this.client = client;
    client.on('error', (err: Error) => {
      this.stats.error('socket');
      this.log.warn({ err: err.message }, 'bacnet socket error');
    });
    client.on('covNotifyUnconfirmed', (c) => this.onCov(c.payload.subscriberProcessId, c.payload.monitoredObjectId, c.payload.values));
    this.stats.connected = true;
    if (this.config.bbmd) await this.registerForeignDevice();
    this.devices.forEach((d, i) => {
      void this.poll(d);
      d.timer = this.ctx.clock.setInterval(d.binding.pollInterval, () => void this.poll(d));
      if (d.points.some((p) => p.object.cov)) {
        void this.subscribe(d, i + 1);
        d.covTimer = this.ctx.clock.setInterval(Math.max(1_000, Math.floor(this.config.covLifetime / 2)), () => void this.subscribe(d, i + 1));
      }
    });
    this.log.info({ devices: this.devices.length, port: this.config.port }, 'bacnet polling started');
  }

  async stop(): Promise<void> {
    for (const d of this.devices) {
      d.timer?.cancel();
      d.covTimer?.cancel();
    }
    this.bbmdTimer?.cancel();
    this.client?.close();
    this.client = undefined;
    this.stats.connected = false;
    this.comms.clearAll();
  }

  /** ReadPropertyMultiple round trips (answered polls). */
  requestLatency(): LatencySnapshot {
    return this.stats.latency.snapshot();
  }

  mappedCommands(device: string): readonly string[] {
    return Object.keys(this.devices.find((d) => d.id === device)?.binding.commands ?? {});
  }

  /** A command as the WriteProperty (with priority) its binding maps it to, confirmed by read-back. */
  async command(request: CommandRequest): Promise<CommandOutcome> {
    const d = this.devices.find((x) => x.id === request.device);
    const w = d?.binding.commands?.[request.command];
    if (!d || !w) return { result: 'failed', detail: `the binding of ${request.device} maps no BACnet write for "${request.command}"` };
    this.stats.requests++;
    const outcome = await sendBacnetCommand(this.client, this.ctx.clock, addressOf(d.binding.address, d.binding.network), w, request.confirmTimeout);
    this.log.info({ device: d.id, command: request.command, result: outcome.result, detail: outcome.detail }, 'bacnet command');
    return outcome;
  }

  health(): ConnectionHealth {
    const refused = this.refused.snapshot();
    return this.stats.snapshot(this.id, 'bacnet', {
      port: this.config.port,
      covSubscriptions: this.covSubscriptions,
      ...(this.config.bbmd ? { foreignDevice: { bbmd: this.config.bbmd.address, state: this.foreignDevice ?? 'pending' } } : {}),
      devices: Object.fromEntries(this.devices.map((d) => [d.id, this.comms.isLost(d.id) ? 'comms_lost' : d.failures > 0 ? 'failing' : 'polling'])),
      ...(refused ? { rejectedBindings: refused } : {}),
    });
  }

  private async registerForeignDevice(): Promise<void> {
    const bbmd = this.config.bbmd;
    if (!bbmd || !this.client) return;
    try {
      await this.client.registerForeignDevice(addressOf(bbmd.address), Math.round(bbmd.ttl / 1000));
      this.foreignDevice = 'registered';
      this.log.info({ bbmd: bbmd.address, ttlS: Math.round(bbmd.ttl / 1000) }, 'bacnet foreign-device registration accepted');
    } catch (err) {
      this.stats.error('bbmd');
      this.foreignDevice = 'failed';
      this.log.warn({ bbmd: bbmd.address, err: (err as Error).message }, 'bacnet foreign-device registration failed; retrying at the next renewal');
    }
    this.bbmdTimer?.cancel();
    this.bbmdTimer = this.ctx.clock.setTimer(Math.max(1_000, Math.floor(bbmd.ttl / 2)), () => void this.registerForeignDevice());
  }

  private async poll(d: PolledDevice): Promise<void> {
    const client = this.client;
    if (!client) return;
    const byObject = new Map<string, { objectId: { type: number; instance: number }; properties: { id: number; index: number }[] }>();
    for (const p of d.points) {
      const type = BACNET_OBJECT_TYPES[p.object.type];
      const key = objectKey(type, p.object.instance);
      const entry = byObject.get(key) ?? { objectId: { type, instance: p.object.instance }, properties: [] };
      entry.properties.push({ id: propertyId(p.object), index: ARRAY_ALL });
      byObject.set(key, entry);
    }
    this.stats.requests++;
    const sent = this.ctx.clock.monotonic();
    try {
      const result = await client.readPropertyMultiple(addressOf(d.binding.address, d.binding.network), [...byObject.values()]);
      this.stats.latency.observe((this.ctx.clock.monotonic() - sent) / 1000);
      const ts = this.ctx.clock.now();
      const samples: Sample[] = [];
      for (const p of d.points) {
        const type = BACNET_OBJECT_TYPES[p.object.type];
        const obj = result.values.find((v) => v.objectId.type === type && v.objectId.instance === p.object.instance);
        const prop = obj?.values.find((v) => v.id === propertyId(p.object));
        samples.push(this.sampleOf(d.id, p, prop?.value, ts));
      }
      d.failures = 0;
      this.comms.heard(d.id);
      this.stats.lastSuccess = ts;
      this.stats.consecutiveFailures = 0;
      this.emit(samples);
    } catch (err) {
      d.failures++;
      this.stats.error('poll');
      this.stats.consecutiveFailures = d.failures;
      if (d.failures >= this.config.failuresBeforeLost && !this.comms.isLost(d.id) && this.out) {
        this.log.warn({ device: d.id, err: (err as Error).message }, 'bacnet device not answering; marked comms lost');
        this.comms.lost(d.id, (err as Error).message, this.out);
      }
    }
  }

  /** A property value (`[{ type, value }]`, or an error for that property) as a sample. */
  private sampleOf(device: string, p: BoundObject, value: unknown, ts: number): Sample {
    const first = Array.isArray(value) ? (value[0] as { value?: unknown; type?: number } | undefined) : undefined;
    if (!first || typeof first !== 'object' || !('value' in first)) {
      return { device, point: p.name, value: null, ts, quality: 'bad', reason: `bacnet: no value for ${p.object.type} ${p.object.instance}` };
    }
    const raw = first.value;
    if (raw !== null && typeof raw === 'object') {
      const e = raw as { errorClass?: number; errorCode?: number };
      return { device, point: p.name, value: null, ts, quality: 'bad', reason: `bacnet error class ${String(e.errorClass)} code ${String(e.errorCode)}` };
    }
    const v = pointValueOf(raw, p.object, p.def);
    return v.ok ? { device, point: p.name, value: v.value, ts, quality: 'good' } : { device, point: p.name, value: null, ts, quality: 'bad', reason: v.reason };
  }

  private async subscribe(d: PolledDevice, processId: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    const seconds = Math.round(this.config.covLifetime / 1000);
    for (const p of d.points.filter((x) => x.object.cov)) {
      this.stats.requests++;
      try {
        await client.subscribeCov(addressOf(d.binding.address, d.binding.network), { type: BACNET_OBJECT_TYPES[p.object.type], instance: p.object.instance }, processId, false, false, seconds);
        this.covSubscriptions++;
      } catch (err) {
        this.stats.error('subscribe_cov');
        this.log.warn({ device: d.id, point: p.name, err: (err as Error).message }, 'bacnet SubscribeCOV failed; the point is still polled');
      }
    }
  }

  private onCov(processId: number, objectId: { type: number; instance: number }, values: readonly { property: { id: number }; value: unknown }[]): void {
    const d = this.byProcess.get(processId);
    if (!d) return;
    const ts = this.ctx.clock.now();
    const samples: Sample[] = [];
    for (const p of d.points) {
      if (!p.object.cov || BACNET_OBJECT_TYPES[p.object.type] !== objectId.type || p.object.instance !== objectId.instance) continue;
      const v = values.find((x) => x.property.id === propertyId(p.object));
      if (v) samples.push(this.sampleOf(d.id, p, v.value, ts));
    }
    if (samples.length === 0) return;
    this.comms.heard(d.id);
    this.stats.lastSuccess = ts;
    this.emit(samples);
  }

  private emit(samples: Sample[]): void {
    if (samples.length === 0 || !this.out) return;
    this.stats.samples += samples.length;
    this.out.push(samples);
  }
}
