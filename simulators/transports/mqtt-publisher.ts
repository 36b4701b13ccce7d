/**
 * Exposes device models the way MQTT field devices do: each publishes its JSON state (canonical
 * field names plus `ts`) on its topic every `intervalMs`, QoS 1, and door access events on
 * `<topic>/events`. A silent or offline model publishes nothing. Models are stepped by their owner
 * (the simulator runner ticks them on the clock).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock, Timer } from '../../gateway/model/clock.ts';
import { AccessDoorModel } from '../models/access-door-model.ts';
import { isReporting, type DeviceModel } from '../models/device-model.ts';

export interface PublishedDevice {
  readonly model: DeviceModel;
  readonly topic: string;
}

export class MqttPublisher {
  private client: MqttClient | undefined;
  private timer: Timer | undefined;
  private readonly devices: readonly PublishedDevice[];
  private readonly clock: Clock;
  private readonly intervalMs: number;
  published = 0;

  constructor(devices: readonly PublishedDevice[], clock: Clock, intervalMs: number) {
    this.devices = devices;
    this.clock = clock;
    this.intervalMs = intervalMs;
  }

  async start(url: string, clientId: string, auth: { username?: string; password?: string } = {}): Promise<void> {
    this.client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 1_000, ...auth });
    this.publishAll();
    this.timer = this.clock.setInterval(this.intervalMs, () => this.publishAll());
  }

  /** Publish every device's current state once (also called by the interval timer). */
  publishAll(): void {
    const client = this.client;
    if (!client) return;
    const now = this.clock.now();
    for (const { model, topic } of this.devices) {
      if (!isReporting(model)) continue;
      client.publish(topic, JSON.stringify({ ...model.report(), ts: now }), { qos: 1 });
      this.published++;
      if (model instanceof AccessDoorModel) {
        for (const event of model.takeEvents()) client.publish(`${topic}/events`, JSON.stringify(event), { qos: 1 });
      }
    }
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync();
  }
}
